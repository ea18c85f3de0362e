"""Which signals share an origin: the stored origin name, compared loosely, else where the article was read.

The origin itself (the innermost identifiable link of a signal's chain of sources: "officials told the
NYT" -> "The New York Times") is decided by the extractor, which holds the lexicon and the actor
registry (``nlp.origins``), and stored with the signal.  Here it only becomes a key: case, a leading
"the", punctuation and spacing ignored.  A signal with no identifiable link (every source anonymous, no
outlet), or stored before origins were recorded (``reprocess`` fills them in), falls back on its URL's
host, else on its article.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit


def normal_key(name: str) -> str:
    """Case, a leading "the", punctuation and spacing ignored."""
    words = re.findall(r"[\w]+", name.casefold().replace("’", "'"))
    if words and words[0] == "the" and len(words) > 1:
        words = words[1:]
    return " ".join(words)


def url_host(url: str) -> str:
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


def origin_of(origin: str, url: str = "", article_id: str = "") -> tuple[str, str]:
    """``(key, name)`` of a signal's origin: equal keys = the same origin."""
    name = " ".join((origin or "").split())
    if name:
        return normal_key(name) or name.casefold(), name
    host = url_host(url)
    if host:
        return "host:" + host, host
    return "article:" + article_id, f"article {article_id[:12]}"
