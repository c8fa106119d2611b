"""Errors that end a run with exit code 2 and one clear line."""

from __future__ import annotations

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
        super().__init__(f"{where}: {message}")


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


def one_line(text: str, limit: int = 200) -> str:
    """Text from a file or a server, made fit for a one-line message: no line breaks, bounded length."""
    text = text.replace("\n", " ").replace("\r", " ")
    return text if len(text) <= limit else text[: limit - 3] + "..."
