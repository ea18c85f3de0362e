"""Shared fixtures: one real spaCy pipeline per test session (loading it takes about a second)."""

from __future__ import annotations

import pytest

from backchannel.pipeline import Extractor
from backchannel.records import Article, ArticleResult


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    return Extractor()


@pytest.fixture(scope="session")
def extract(extractor: Extractor):
    """extract(text, published=..., outlet=...) -> ArticleResult."""

    def run(text: str, published: str = "2025-03-14", outlet: str = "Test Desk", title: str = "") -> ArticleResult:
        return extractor.extract(Article(text=text, published=published, outlet=outlet, title=title))

    return run
