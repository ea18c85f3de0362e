"""Language processing helpers: time expressions, lexicons and the spaCy-based extractors."""
