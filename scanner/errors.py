"""Errors that end a run with exit code 2 and one clear line, and how any message is made one line."""

from __future__ import annotations

import reprlib
from typing import Any

MAX_MESSAGE = 1000


class InputError(Exception):
    """Bad user input: a broken policy, snapshot, baseline or option.

    The message is printed as a single line naming the file and the field.
    """

    def __init__(self, source: str, field: str | None, message: str) -> None:
        self.source = source
        self.field = field
        self.message = message
        where = f"{source}: {field}" if field else source
        # File names, keys and values in the message come from untrusted files: printed as they are, a
        # newline would break the one line and an escape sequence would reach the terminal.
        super().__init__(printable(f"{where}: {message}"))


def printable(text: str) -> str:
    """`text` with every non-printable character (line breaks, ESC, C1, bidi overrides) written as
    its escape, never acted on."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """`text` safe for one line of a terminal or log: printable, at most about `limit` characters
    (cut before escaping, so a cut never splits an escape)."""
    text = text if len(text) <= limit else f"{text[:limit - 3]}..."
    return printable(text)


_SHORT_REPR = reprlib.Repr()
_SHORT_REPR.maxstring = _SHORT_REPR.maxother = _SHORT_REPR.maxlong = 80
_SHORT_REPR.maxlevel = 2
_SHORT_REPR.maxlist = _SHORT_REPR.maxtuple = _SHORT_REPR.maxdict = _SHORT_REPR.maxset = 4


def shown(value: Any, limit: int = 80) -> str:
    """A value from an untrusted file or document, quoted for a message: its repr, bounded in the
    work and the length (a file may hold a huge or deeply nested value where a string was expected)."""
    return one_line(_SHORT_REPR.repr(value), limit + 40)
