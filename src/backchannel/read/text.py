"""Shared byte-level checks for every reader: size limit, binary sniffing, decoding, newlines.

Every reader (files now; URLs, feeds, archives later) funnels raw bytes through
these functions so that the same bad input gets the same one-line reason
wherever it came from.  All failures are ``InputError``; nothing here lets an
``OSError`` or ``UnicodeDecodeError`` escape.
"""

from __future__ import annotations

import codecs
import stat
from pathlib import Path

from backchannel.errors import InputError
from backchannel.read.clean import clean_text

MAX_BYTES: int = 10 * 1024 * 1024
"""Documents larger than this are refused: no news article is anywhere near it, and a
mistaken argument (a log, a dump, a video) should fail fast instead of eating memory."""

_SNIFF_BYTES = 8192
_CONTROL_SHARE = 0.10
# Control bytes that plain text legitimately contains.
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\v")
# Common binary formats people pass by mistake; naming them makes the error actionable.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF"),
    (b"PK\x03\x04", "a ZIP archive, e.g. .docx or .odt"),
    (b"\x1f\x8b", "gzip-compressed"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file"),
    (b"{\\rtf", "RTF"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM begins with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def too_large_reason(size: int | None) -> str:
    """The reason for refusing an oversized document; ``size`` is None when only a lower bound is known."""
    limit = f"{MAX_BYTES / (1024 * 1024):g} MB limit"
    if size is None:
        return f"too large (more than the {limit})"
    return f"too large ({_megabytes(size)} > {limit})"


def read_file_bytes(path: Path, source: str) -> bytes:
    """Read a whole file, refusing directories and anything over ``MAX_BYTES``.

    The size is checked with ``stat`` before opening, so a huge file is refused
    without reading it; the read itself is also bounded because pipes and
    device files report size 0.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError(source, "no such file") from None
    except PermissionError:
        raise InputError(source, "permission denied") from None
    except (OSError, ValueError) as exc:  # ValueError: embedded NUL in the path
        raise InputError(source, f"cannot read the file ({_os_reason(exc)})") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(source, "is a directory")
    if info.st_size > MAX_BYTES:
        raise InputError(source, too_large_reason(info.st_size))
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except PermissionError:
        raise InputError(source, "permission denied") from None
    except OSError as exc:
        raise InputError(source, f"cannot read the file ({_os_reason(exc)})") from None
    if len(data) > MAX_BYTES:
        raise InputError(source, too_large_reason(None))
    return data


def _os_reason(exc: BaseException) -> str:
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return one_line(reason)


def one_line(value: str, limit: int = 200) -> str:
    """Collapse whitespace so a message stays on one line (the CLI prints one line per error), and show
    control characters from the document as escapes: they must not reach the user's terminal raw."""
    flat = " ".join(value.split())
    flat = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in flat)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def binary_reason(data: bytes) -> str | None:
    """Say why ``data`` looks binary, or None when it looks like text.

    Looks only at the first 8 KB: a NUL byte or more than 10% control bytes
    there means it is not a text document (UTF-16/32 are handled before this by
    their byte-order mark).
    """
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return f"binary file, not text (looks like {name})"
    sample = data[:_SNIFF_BYTES]
    if not sample:
        return None
    if b"\x00" in sample:
        return "binary file, not text"
    controls = sum(1 for byte in sample if (byte < 0x20 and byte not in _TEXT_CONTROLS) or byte == 0x7F)
    if controls / len(sample) > _CONTROL_SHARE:
        return "binary file, not text"
    return None


def split_bom(data: bytes) -> tuple[str | None, bytes, int]:
    """Return (encoding named by a byte-order mark or None, bytes after it, length of the mark)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, data[len(bom) :], len(bom)
    return None, data, 0


def decode_bytes(data: bytes, source: str, *, encoding: str | None = None) -> str:
    """Decode a document to ``str`` with ``\\n`` newlines, or raise ``InputError``.

    UTF-8 unless a byte-order mark or ``encoding`` (e.g. an HTML charset
    declaration) says otherwise; no guessing, because a wrong guess silently
    corrupts names and quotes that the extractor must reproduce exactly.
    """
    bom_encoding, body, offset = split_bom(data)
    if bom_encoding in ("utf-16", "utf-32"):
        try:
            text = data.decode(bom_encoding)
        except UnicodeDecodeError:
            raise InputError(source, f"not valid {bom_encoding.upper()}; convert the file to UTF-8") from None
        if "\x00" in text:
            raise InputError(source, "binary file, not text")
        return finish_text(text, source)
    reason = binary_reason(body)
    if reason:
        raise InputError(source, reason)
    codec = bom_encoding or encoding or "utf-8"
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        bad = exc.object[exc.start]
        name = "UTF-8" if codecs.lookup(codec).name == "utf-8" else codec
        raise InputError(
            source,
            f"not valid {name} (byte 0x{bad:02x} at offset {exc.start + offset}); convert the file to UTF-8",
        ) from None
    return finish_text(text, source)


def finish_text(text: str, source: str) -> str:
    """Clean the text (``clean.clean_text``: newlines, surrogates, controls, NFC) and refuse empty documents;
    shared by byte and str inputs, so a page is clean before any parser sees it."""
    text = clean_text(text)
    if not text.strip():
        raise InputError(source, "empty document")
    return text
