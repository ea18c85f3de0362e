"""Scoring extraction against gold annotations: ``scoring`` holds the matching rules and the floors."""
