"""Errors that end a run with exit code 2 and one clear line."""

from __future__ import annotations


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
