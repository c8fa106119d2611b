"""Errors that end a run with exit code 2 and one clear line, and how any message is made one line."""

from __future__ import annotations

import reprlib

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
        super().__init__(f"{where}: {message}")


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """`text` safe for one line of a terminal or log: control characters (newlines, ESC, C1, bidi
    overrides, ...) shown as escapes, never acted on, and at most `limit` characters."""
    shown = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    return shown if len(shown) <= limit else f"{shown[:limit - 3]}..."


_SHORT_REPR = reprlib.Repr()
_SHORT_REPR.maxstring, _SHORT_REPR.maxother, _SHORT_REPR.maxlevel = 80, 80, 2
_SHORT_REPR.maxlist = _SHORT_REPR.maxtuple = _SHORT_REPR.maxdict = _SHORT_REPR.maxset = 4


def shown(value: object) -> str:
    """A value quoted in an error message: its repr, cut short (a file may hold a huge or deeply
    nested value where a string was expected)."""
    return _SHORT_REPR.repr(value)
