"""Shared fixtures: one real spaCy pipeline per test session (loading it takes about a second)."""

from __future__ import annotations

import pytest

from backchannel.jobs.extractor import Extractor
from backchannel.records import Article, ArticleResult


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    """The default extractor, as users and workers get it (the shipped model decides the signals)."""
    return Extractor()


@pytest.fixture(scope="session")
def rules_extractor() -> Extractor:
    """The hand-written rules, which the rule tests pin."""
    return Extractor(signal_model="rules")


@pytest.fixture(scope="session")
def extract(rules_extractor: Extractor):
    """extract(text, published=..., outlet=...) -> ArticleResult, with every text parsed.

    The rule tests use one- or two-sentence texts, many with no war vocabulary; they test the rules,
    not the pre-parse scan (tests/test_scope.py does), so the scan is off here.  Signals are the same
    either way: the signal rules start with the same test as the scan.
    """
    everything = Extractor(nlp=rules_extractor.nlp, all_articles=True, signal_model="rules")

    def run(text: str, published: str = "2025-03-14", outlet: str = "Test Desk", title: str = "") -> ArticleResult:
        return everything.extract(Article(text=text, published=published, outlet=outlet, title=title))

    return run


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium for the browser tests (``browser_env``): skipped without one, failed under CI=true."""
    from browser_env import chromium

    with chromium() as launched:
        yield launched
