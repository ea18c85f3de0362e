"""Article identity: what makes two documents "the same article".

An article's id is ``sha256(normalised text + "\\n" + normalised url)``, the
first 32 hex digits (128 bits).  Why these parts:

* The text decides: the same page fetched twice, or the same JSONL line in two
  dumps, gets one id, so a rerun after a crash stores nothing twice.  The text
  is normalised (Unicode NFC, runs of whitespace collapsed, ends trimmed) so
  that a re-rendered page whose only change is line wrapping is not a "new
  version".
* The URL is part of it, so a wire story syndicated by two outlets stays two
  articles (each outlet is a separate source of the signal).  Articles without
  a URL (local files, dumps) are identified by their text alone.
* Title, author, date and outlet are left out: readers extract them with
  varying success, and a better extraction of the same page must not create
  a second copy.

When a URL's text changes, the new text gets a new id and the store links it
to the previous one (``version_of``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import urlsplit, urlunsplit

from backchannel.records import Article

_SPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def normalise_url(url: str) -> str:
    """Trimmed, without the #fragment, scheme and host in lower case; other parts as given."""
    url = url.strip()
    if not url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an invalid IPv6 host: keep the URL as written
        return url
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, parts.query, ""))


def article_id(article: Article) -> str:
    key = normalise_text(article.text) + "\n" + normalise_url(article.url)
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
