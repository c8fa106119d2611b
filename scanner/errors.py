"""Errors that end a run with exit code 2 and one clear line."""

from __future__ import annotations

import reprlib
from pathlib import Path
from typing import Any

import yaml


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


def read_yaml(path: str | Path, what: str) -> Any:
    """The parsed YAML document of a user file (`what`: "policy", "baseline"), or an InputError
    naming the file and, for a syntax error, the line."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise InputError(source, None, f"cannot read {what} file ({reason})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else None
        raise InputError(source, where, f"not valid YAML ({getattr(exc, 'problem', None) or exc})") from None


def printable(text: str) -> str:
    """`text` with every non-printable character (line breaks, ESC, bidi controls) written as its escape."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def one_line(text: str, limit: int = 200) -> str:
    """Text from a file or a server, made fit for a one-line message: printable, bounded in length."""
    text = text if len(text) <= limit else text[: limit - 3] + "..."
    return printable(text)


def shown(value: Any, limit: int = 80) -> str:
    """A value from an untrusted document, quoted for a message: bounded in the work and the length."""
    return one_line(_SHORT_REPR.repr(value), limit + 40)


_SHORT_REPR = reprlib.Repr()
_SHORT_REPR.maxstring = _SHORT_REPR.maxother = _SHORT_REPR.maxlong = 80
