"""Readers: turn documents into ``records.Article`` or raise ``errors.InputError``.

One module per kind of source, all sharing ``text`` (size limit, binary
sniffing, decoding) and ``dates`` (ISO ``published``):

- ``files``   local files; ``read_path`` dispatches on suffix or sniffed content
- ``html``    web pages (also for fetched URLs and feed entries)
- ``mapping`` structured records: a JSON object (also for JSONL lines and CSV rows)

Every bad document ends in ``InputError(source, reason)`` whose message is one
line naming the source and the problem; no other exception escapes a reader.
"""

from backchannel.read.files import read_path
from backchannel.read.html import article_from_html
from backchannel.read.mapping import article_from_mapping
from backchannel.read.text import MAX_BYTES

__all__ = ["MAX_BYTES", "article_from_html", "article_from_mapping", "read_path"]
