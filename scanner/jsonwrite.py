"""Indented JSON text exactly as `json.dumps(document, indent=2, default=default) + "\n"` writes it, made by
orjson where orjson writes the same bytes.

The standard library writes indented JSON in pure Python: 4 s of a 100,000-resource scan's 64 MB
JSON report (bench/bench_evaluate.py), most of a SARIF log's time. orjson writes the same layout
(two-space indent, `": "` after keys, insertion order) some 20 times faster, but differs in a few
places, each handled here so the output stays byte for byte what `json.dumps` writes:

* non-ASCII text and DEL are written raw by orjson; `json.dumps` escapes them (`ensure_ascii`), which
  also keeps bidirectional overrides and line separators out of the raw file. They are escaped after.
* NaN and infinities become `null` in orjson (`NaN` / `Infinity` in `json.dumps`), a float prints
  `1e-7` where `repr` prints `1e-07`, a plain `Enum` is written by its value where `json.dumps` calls
  `default`, and so is a `UUID`: `_orjson_agrees` walks the document first and falls back to the
  standard library on any such value.
* orjson refuses what `json.dumps` may still write (keys that are not exactly `str`, integers beyond
  64 bits, lone surrogates, nesting beyond 254 levels): the standard library then writes it.

tests/scanner/test_jsonwrite.py holds both writers to the same output on generated documents.
"""

from __future__ import annotations

import enum
import json
import math
import re
import uuid
from collections.abc import Callable
from typing import Any

import orjson

_OPTIONS = (orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE | orjson.OPT_PASSTHROUGH_DATETIME
            | orjson.OPT_PASSTHROUGH_DATACLASS)
# What json.dumps(ensure_ascii=True) escapes that orjson writes raw: DEL and everything beyond ASCII.
_UNESCAPED = re.compile("[\x7f-\U0010ffff]")
# What orjson writes itself where json.dumps calls `default` (a named tuple is a tuple subclass).
_WRITTEN_DIFFERENTLY = (tuple, enum.Enum, uuid.UUID)


def indented_json(document: Any, default: Callable[[Any], Any]) -> bytes:
    """`json.dumps(document, indent=2, default=default) + "\n"`, fast where it can be, as ASCII bytes.

    Bytes, and the document let go of once written: a 100,000-resource report is a 60 MB document and
    64 MB of text, and a caller that passes the document as a temporary (`indented_json(build(), ...)`:
    the callee owns its arguments) then never holds the document, the bytes and the text at once."""
    try:
        agrees = _orjson_agrees(document, default)
    except RecursionError:  # a cycle (or nesting deeper than Python recurses): json.dumps says what is wrong
        agrees = False
    if agrees:
        try:
            data = orjson.dumps(document, default=default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            pass
        else:
            del document  # a caller that passed a temporary lets it go here, before the copies below
            if data.isascii() and b"\x7f" not in data:
                return data
            return _UNESCAPED.sub(_ascii_escape, data.decode("utf-8")).encode("ascii")
    return (json.dumps(document, indent=2, default=default) + "\n").encode("ascii")


def _orjson_agrees(node: Any, default: Callable[[Any], Any]) -> bool:
    """Whether orjson writes `node` as json.dumps does (what orjson refuses is caught by the caller).
    Written for speed: a report is a million values, nearly all of them strings and ints in dicts."""
    if type(node) is dict:
        values: Any = node.values()
    elif type(node) is list:
        values = node
    else:
        return _value_agrees(node, default)
    for value in values:
        kind = type(value)
        if kind is str or kind is int or kind is bool or value is None:
            continue
        if not (_orjson_agrees(value, default) if kind is dict or kind is list else _value_agrees(value, default)):
            return False
    return True


def _value_agrees(node: Any, default: Callable[[Any], Any]) -> bool:
    """The same for anything but a plain dict or list, in json.dumps' own order of tests: str, None, int
    (bool among them), float, list / tuple, dict, and else `default`."""
    if isinstance(node, str | int) or node is None:  # subclasses too (StrEnum, IntEnum): both write the value
        return True
    if isinstance(node, float):
        return type(node) is float and math.isfinite(node) and orjson.dumps(node).decode() == float.__repr__(node)
    if isinstance(node, list) or type(node) is tuple:
        return all(_orjson_agrees(v, default) for v in node)
    if isinstance(node, dict):
        return all(_orjson_agrees(v, default) for v in node.values())
    if isinstance(node, _WRITTEN_DIFFERENTLY):
        return False
    try:
        converted = default(node)
    except (TypeError, ValueError):  # `default` refuses the value: json.dumps raises that error
        return False
    return _orjson_agrees(converted, default)


def _ascii_escape(match: re.Match[str]) -> str:
    """As json.dumps writes a character beyond ASCII: `\\u00e9`, or a surrogate pair beyond the BMP."""
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 | (code >> 10):04x}\\u{0xDC00 | (code & 0x3FF):04x}"
