"""Readers: turn documents into ``records.Article`` or raise ``errors.InputError``.

One module per kind of source, all sharing ``text`` (size limit, binary
sniffing, decoding), ``clean`` (every ``Article`` is built by ``make_article``:
clean Unicode, the 1,000,000-character text budget), ``budget`` (structure
budgets for HTML, feeds and JSON, checked before parsing; ``load_json``) and
``dates`` (ISO ``published``):

- ``files``   local files; ``read_path`` dispatches on suffix or sniffed content
- ``html``    web pages (also for fetched URLs and feed entries)
- ``mapping`` structured records: a JSON object (also for JSONL lines and CSV rows)
- ``web``     fetching one http(s) URL under an SSRF guard (``Fetcher``)
- ``feeds``   RSS/Atom feeds, one article per entry
- ``bulk``    JSONL and CSV dumps, streamed, with a ``FieldMapping``
- ``warc``    WARC / WARC.gz web archives
- ``sources`` ``iter_source``: any file, folder or URL to a stream of articles and errors

Every bad document ends in ``InputError(source, reason)`` whose message is one
line naming the source and the problem; no other exception escapes a reader.
The single-document readers raise it; the many-document ones (``iter_*``)
yield it in place of the article, so one bad document never stops a batch.
"""

from backchannel.read.bulk import FieldMapping
from backchannel.read.files import read_path
from backchannel.read.html import article_from_html
from backchannel.read.mapping import article_from_mapping
from backchannel.read.sources import PARQUET_REASON, iter_source
from backchannel.read.text import MAX_BYTES
from backchannel.read.web import Fetcher

__all__ = [
    "MAX_BYTES",
    "PARQUET_REASON",
    "FieldMapping",
    "Fetcher",
    "article_from_html",
    "article_from_mapping",
    "iter_source",
    "read_path",
]
