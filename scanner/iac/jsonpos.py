"""JSON with the line of every member: ARM templates are JSON, and an alert needs the line of a property.

A small, strict, bounded reader (depth, and the caller bounds the size): values as `json` gives
them, plus `lines[path] = line of the key` for every object member (path: keys and array indexes).
Comments (`//`, `/* */`), which ARM accepts in templates, are skipped.
"""

from __future__ import annotations

import json
import re
from json.decoder import scanstring
from typing import Any

MAX_DEPTH = 64
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_WHITESPACE = re.compile(r"(?:[ \t\r\n]+|//[^\n]*|/\*.*?\*/)*", re.DOTALL)

Path = tuple[str | int, ...]


class JsonPositionError(ValueError):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.lines: dict[Path, int] = {}
        self._newlines = [m.start() for m in re.finditer("\n", text)]

    def line_at(self, position: int) -> int:
        low, high = 0, len(self._newlines)
        while low < high:
            middle = (low + high) // 2
            if self._newlines[middle] < position:
                low = middle + 1
            else:
                high = middle
        return low + 1

    def skip(self) -> None:
        self.pos = _WHITESPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]

    def fail(self, message: str) -> JsonPositionError:
        return JsonPositionError(message, self.line_at(self.pos))

    def value(self, path: Path, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise self.fail(f"nested deeper than {MAX_DEPTH} levels")
        self.skip()
        if self.pos >= len(self.text):
            raise self.fail("unexpected end")
        char = self.text[self.pos]
        if char == "{":
            return self.object(path, depth)
        if char == "[":
            return self.array(path, depth)
        if char == '"':
            return self.string()
        for word, value in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return value
        match = _NUMBER.match(self.text, self.pos)
        if not match:
            raise self.fail("expected a value")
        self.pos = match.end()
        number = match.group(0)
        if len(number) > 100:
            raise self.fail("a number of more than 100 digits")
        return json.loads(number)

    def string(self) -> str:
        try:
            value, self.pos = scanstring(self.text, self.pos + 1, True)
        except json.JSONDecodeError as exc:
            raise self.fail(exc.msg) from None
        return value

    def object(self, path: Path, depth: int) -> dict[str, Any]:
        self.pos += 1
        result: dict[str, Any] = {}
        self.skip()
        if self.text.startswith("}", self.pos):
            self.pos += 1
            return result
        while True:
            self.skip()
            if not self.text.startswith('"', self.pos):
                raise self.fail("expected a member name")
            line = self.line_at(self.pos)
            key = self.string()
            self.skip()
            if not self.text.startswith(":", self.pos):
                raise self.fail("expected ':'")
            self.pos += 1
            member = (*path, key)
            self.lines.setdefault(member, line)
            result[key] = self.value(member, depth + 1)
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif self.text.startswith("}", self.pos):
                self.pos += 1
                return result
            else:
                raise self.fail("expected ',' or '}'")

    def array(self, path: Path, depth: int) -> list[Any]:
        self.pos += 1
        result: list[Any] = []
        self.skip()
        if self.text.startswith("]", self.pos):
            self.pos += 1
            return result
        while True:
            self.skip()
            index = len(result)
            self.lines.setdefault((*path, index), self.line_at(self.pos))
            result.append(self.value((*path, index), depth + 1))
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif self.text.startswith("]", self.pos):
                self.pos += 1
                return result
            else:
                raise self.fail("expected ',' or ']'")


def load_with_lines(text: str) -> tuple[Any, dict[Path, int]]:
    """The document and the line of each member / array element; raises JsonPositionError."""
    reader = _Reader(text)
    document = reader.value((), 0)
    reader.skip()
    if reader.pos != len(text):
        raise reader.fail("text after the document")
    return document, reader.lines
