"""The exception tree.  Every message names the file or field and says what is wrong.

    BackchannelError
     ├── InputError        a document cannot be read (empty, binary, bad encoding, too big,
     │                     no article in the HTML, JSON without ``text``); names the file
     ├── ActorFileError    a user's ``--actors`` file is malformed; names the file and entry
     └── ModelError        no usable spaCy pipeline, or a missing or corrupt signal model file;
                           names the file or says what to install

The CLI turns each of these into one line on stderr; nothing else should reach
the user as a traceback.
"""

from __future__ import annotations


class BackchannelError(Exception):
    """Base class: an error that the CLI reports as one line."""


class InputError(BackchannelError):
    """A document could not be read.  ``source`` is the file or URL, ``reason`` the problem."""

    def __init__(self, source: str, reason: str) -> None:
        self.source = printable(source)
        self.reason = printable(reason)
        super().__init__(f"{self.source}: {self.reason}")


def printable(text: str) -> str:
    """One line, with control characters from a document (NULs, ANSI escapes) shown as escapes."""
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in " ".join(str(text).split()))


class ActorFileError(BackchannelError):
    """An actor alias file is malformed."""


class ModelError(BackchannelError):
    """No usable spaCy pipeline, or the signal model (ONNX, tokenizer, labels) is missing or corrupt."""


class ConflictFileError(BackchannelError):
    """A conflict file (``--conflicts``, or the bundled one) is malformed; names the file and entry."""
