"""What an IaC expression evaluates to when some of its inputs are not known.

Templates name resources from parameters, variables and functions. The source map evaluates
those expressions as far as the repository allows: a value is concrete (a Python str, int, bool,
list, dict or None), `UNKNOWN` (nothing can be said), or a `Pattern`: text whose literal parts
are known and whose other parts are wildcards (`'${prefix}-raw'` with no value for `prefix` is
`*-raw`; `uniqueString(...)` is thirteen lower-case letters or digits). A pattern can match a
resource name; it is weaker evidence than a literal, and the matcher treats it so.

Nothing here executes code: the functions are the handful of pure string and collection
functions Bicep and ARM templates (and Terraform) use to build names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any


class _Unknown:
    """A value the repository does not determine (a parameter without default, `reference()`...)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN: Any = _Unknown()


@dataclass(frozen=True)
class Wild:
    """A part of a name nothing determines: any text without `/` and without the `excluded`
    characters, or, for `uniqueString`, exactly `length` lower-case letters and digits."""

    excluded: str = ""
    length: int = 0

    def regex(self) -> str:
        if self.length:
            return f"[a-z0-9]{{{self.length}}}"
        return "[^/" + re.escape(self.excluded) + "]+?"


MIN_LITERAL_EVIDENCE = 3  # literal characters a pattern needs before it may name a resource


@dataclass(frozen=True)
class Pattern:
    parts: tuple[str | Wild, ...]

    @staticmethod
    def of(parts: Sequence[Any]) -> Any:
        """Concatenate: literals merge, adjacent wildcards merge; without a wildcard it is plain text."""
        merged: list[str | Wild] = []
        for part in parts:
            pieces = part.parts if isinstance(part, Pattern) else (part,)
            for piece in pieces:
                if isinstance(piece, Wild) or piece is UNKNOWN:
                    piece = piece if isinstance(piece, Wild) else Wild()
                    if merged and isinstance(merged[-1], Wild):
                        merged[-1] = Wild() if (piece.length or merged[-1].length) else \
                            Wild("".join(sorted(set(piece.excluded) & set(merged[-1].excluded))))
                    else:
                        merged.append(piece)
                elif piece != "":
                    text = to_text(piece)
                    if text is UNKNOWN:
                        return UNKNOWN
                    if merged and isinstance(merged[-1], str):
                        merged[-1] += text
                    else:
                        merged.append(text)
        if not any(isinstance(p, Wild) for p in merged):
            return "".join(merged)  # type: ignore[arg-type]
        return Pattern(tuple(merged))

    @cached_property
    def compiled(self) -> re.Pattern[str]:
        body = "".join(p.regex() if isinstance(p, Wild) else re.escape(p) for p in self.parts)
        return re.compile(body, re.IGNORECASE | re.DOTALL)

    def matches(self, text: str) -> bool:
        return self.compiled.fullmatch(text) is not None

    @property
    def evidence(self) -> bool:
        """Enough known text (or a uniqueString's fixed shape) to tell one resource from another."""
        literal = sum(len(p) for p in self.parts if isinstance(p, str))
        return literal >= MIN_LITERAL_EVIDENCE or any(isinstance(p, Wild) and p.length for p in self.parts)

    def map_literals(self, change: Callable[[str], str]) -> Pattern:
        return Pattern(tuple(change(p) if isinstance(p, str) else p for p in self.parts))

    def __str__(self) -> str:
        return "".join("*" if isinstance(p, Wild) else p for p in self.parts)


def is_known(value: Any) -> bool:
    return value is not UNKNOWN and not isinstance(value, Pattern)


def to_text(value: Any) -> Any:
    """A value as the text string interpolation makes of it (UNKNOWN for objects and arrays)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    if isinstance(value, Pattern):
        return value
    return UNKNOWN


def concat_text(parts: Sequence[Any]) -> Any:
    """String interpolation / concat of text parts: a string, a pattern, or UNKNOWN."""
    texts = [to_text(p) if is_known(p) else p for p in parts]
    return Pattern.of([Wild() if t is UNKNOWN else t for t in texts])


# --- functions ---------------------------------------------------------------------------------
def _lower(args: list[Any]) -> Any:
    return _map_text(args, str.lower)


def _upper(args: list[Any]) -> Any:
    return _map_text(args, str.upper)


def _map_text(args: list[Any], change: Callable[[str], str]) -> Any:
    if len(args) != 1:
        return UNKNOWN
    value = args[0]
    if isinstance(value, str):
        return change(value)
    if isinstance(value, Pattern):
        return value.map_literals(change)
    return UNKNOWN


def _replace(args: list[Any]) -> Any:
    if len(args) != 3 or not all(isinstance(a, str) for a in args[1:]):
        return UNKNOWN
    value, old, new = args
    if isinstance(value, str):
        return value.replace(old, new) if old else UNKNOWN
    if isinstance(value, Pattern) and old and len(old) == 1 and new == "":
        return Pattern(tuple(p.replace(old, "") if isinstance(p, str) else
                             (Wild(p.excluded + old, p.length) if not p.length else p) for p in value.parts))
    return UNKNOWN


def _concat(args: list[Any]) -> Any:
    if args and all(isinstance(a, list) for a in args):
        return [item for a in args for item in a]
    return concat_text(args)


_FORMAT_HOLE = re.compile(r"\{(\d+)(?::[^}]*)?\}|\{\{|\}\}")


def _format(args: list[Any]) -> Any:
    """ARM / Bicep `format('{0}-raw', prefix)` (.NET composite formatting, without format specifiers)."""
    if not args or not isinstance(args[0], str):
        return UNKNOWN
    template, values = args[0], args[1:]
    parts: list[Any] = []
    position = 0
    for hole in _FORMAT_HOLE.finditer(template):
        parts.append(template[position:hole.start()])
        token = hole.group(0)
        if token in ("{{", "}}"):
            parts.append(token[0])
        else:
            index = int(hole.group(1))
            parts.append(values[index] if index < len(values) else UNKNOWN)
        position = hole.end()
    parts.append(template[position:])
    return concat_text(parts)


def _printf(args: list[Any]) -> Any:
    """Terraform `format("%s-raw", var.prefix)`: %s, %d and %% only."""
    if not args or not isinstance(args[0], str):
        return UNKNOWN
    pieces = re.split(r"(%%|%[sd])", args[0])
    values = iter(args[1:])
    parts: list[Any] = []
    for piece in pieces:
        if piece == "%%":
            parts.append("%")
        elif piece in ("%s", "%d"):
            parts.append(next(values, UNKNOWN))
        else:
            parts.append(piece)
    return concat_text(parts)


def _take(args: list[Any]) -> Any:
    if len(args) == 2 and isinstance(args[0], str | list) and isinstance(args[1], int):
        return args[0][: max(args[1], 0)]
    return UNKNOWN


def _substring(args: list[Any]) -> Any:
    if len(args) in (2, 3) and isinstance(args[0], str) and all(isinstance(a, int) for a in args[1:]):
        start = args[1]
        return args[0][start:start + args[2]] if len(args) == 3 else args[0][start:]
    return UNKNOWN


def _unique_string(args: list[Any]) -> Any:
    return Pattern((Wild(length=13),))


def _join(args: list[Any]) -> Any:
    if len(args) == 2 and isinstance(args[0], list) and isinstance(args[1], str):
        joined: list[Any] = []
        for i, item in enumerate(args[0]):
            joined += [args[1], item] if i else [item]
        return concat_text(joined)
    if len(args) == 2 and isinstance(args[0], str) and isinstance(args[1], list):  # Terraform join(sep, list)
        return _join([args[1], args[0]])
    return UNKNOWN


def _split(args: list[Any]) -> Any:
    if len(args) == 2 and isinstance(args[0], str) and isinstance(args[1], str) and args[1]:
        return args[0].split(args[1])
    return UNKNOWN


def _first(args: list[Any]) -> Any:
    return args[0][0] if len(args) == 1 and isinstance(args[0], str | list) and args[0] else UNKNOWN


def _last(args: list[Any]) -> Any:
    return args[0][-1] if len(args) == 1 and isinstance(args[0], str | list) and args[0] else UNKNOWN


def _length(args: list[Any]) -> Any:
    return len(args[0]) if len(args) == 1 and isinstance(args[0], str | list | dict) else UNKNOWN


def _empty(args: list[Any]) -> Any:
    if len(args) == 1 and (args[0] is None or isinstance(args[0], str | list | dict)):
        return not args[0]
    return UNKNOWN


def _coalesce(args: list[Any]) -> Any:
    for arg in args:
        if arg is UNKNOWN or isinstance(arg, Pattern):
            return UNKNOWN
        if arg is not None:
            return arg
    return None


def _union(args: list[Any]) -> Any:
    if args and all(isinstance(a, dict) for a in args):
        merged: dict[str, Any] = {}
        for a in args:
            merged.update(a)
        return merged
    if args and all(isinstance(a, list) for a in args):
        return list(dict.fromkeys(item for a in args for item in a if isinstance(item, str | int | bool)))
    return UNKNOWN


def _string(args: list[Any]) -> Any:
    return to_text(args[0]) if len(args) == 1 else UNKNOWN


def _trim(args: list[Any]) -> Any:
    return args[0].strip() if len(args) == 1 and isinstance(args[0], str) else UNKNOWN


def _array(args: list[Any]) -> Any:
    if len(args) != 1 or args[0] is UNKNOWN:
        return UNKNOWN
    return args[0] if isinstance(args[0], list) else [args[0]]


def _if(args: list[Any]) -> Any:
    if len(args) == 3 and isinstance(args[0], bool):
        return args[1] if args[0] else args[2]
    return UNKNOWN


def _bool_of(args: list[Any]) -> Any:
    if len(args) == 1 and isinstance(args[0], bool):
        return args[0]
    if len(args) == 1 and isinstance(args[0], str) and args[0].lower() in ("true", "false"):
        return args[0].lower() == "true"
    return UNKNOWN


def _int_of(args: list[Any]) -> Any:
    if len(args) == 1 and isinstance(args[0], int | str) and str(args[0]).lstrip("-").isdigit():
        return int(args[0])
    return UNKNOWN


def _contains(args: list[Any]) -> Any:
    if len(args) == 2 and isinstance(args[0], str | list | dict) and is_known(args[1]):
        try:
            return args[1] in args[0]
        except TypeError:
            return UNKNOWN
    return UNKNOWN


def _equals(args: list[Any]) -> Any:
    return args[0] == args[1] if len(args) == 2 and all(is_known(a) for a in args) else UNKNOWN


def _not(args: list[Any]) -> Any:
    return (not args[0]) if len(args) == 1 and isinstance(args[0], bool) else UNKNOWN


def _range(args: list[Any]) -> Any:
    if len(args) == 2 and all(isinstance(a, int) for a in args) and 0 <= args[1] <= MAX_LOOP_ITEMS:
        return list(range(args[0], args[0] + args[1]))
    return UNKNOWN


def _padleft(args: list[Any]) -> Any:
    if len(args) in (2, 3) and isinstance(args[1], int) and is_known(args[0]):
        text = to_text(args[0])
        pad = args[2] if len(args) == 3 and isinstance(args[2], str) and args[2] else " "
        return text.rjust(min(args[1], 1000), pad[0]) if isinstance(text, str) else UNKNOWN
    return UNKNOWN


MAX_LOOP_ITEMS = 1000  # a loop over more items than this is not enumerated (its names stay patterns)

# Shared by Bicep and ARM template expressions (case-insensitive names, as ARM treats them).
FUNCTIONS: dict[str, Callable[[list[Any]], Any]] = {
    "tolower": _lower, "toupper": _upper, "replace": _replace, "concat": _concat, "format": _format,
    "take": _take, "substring": _substring, "uniquestring": _unique_string, "join": _join, "split": _split,
    "first": _first, "last": _last, "length": _length, "empty": _empty, "coalesce": _coalesce, "union": _union,
    "string": _string, "trim": _trim, "array": _array, "if": _if, "bool": _bool_of, "int": _int_of,
    "contains": _contains, "equals": _equals, "not": _not, "range": _range, "padleft": _padleft,
}

# Terraform's spelling of the same functions.
TERRAFORM_FUNCTIONS: dict[str, Callable[[list[Any]], Any]] = {
    "lower": _lower, "upper": _upper, "replace": _replace, "format": _printf, "join": _join, "split": _split,
    "length": _length, "coalesce": _coalesce, "trimspace": _trim, "tostring": _string, "concat": _concat,
    "substr": _substring, "merge": _union, "tolist": lambda a: a[0] if len(a) == 1 and isinstance(a[0], list)
    else UNKNOWN, "toset": lambda a: a[0] if len(a) == 1 and isinstance(a[0], list) else UNKNOWN,
}


def call(functions: dict[str, Callable[[list[Any]], Any]], name: str, args: list[Any]) -> Any:
    function = functions.get(name.lower())
    if function is None:
        return UNKNOWN
    try:
        return function(args)
    except (TypeError, ValueError, IndexError, KeyError, AttributeError, OverflowError):
        return UNKNOWN


# --- references the evaluators hand around -------------------------------------------------------
@dataclass(frozen=True)
class ScopeRef:
    """`resourceGroup()` / `resourceGroup('rg-x')` / `subscription()`: only the group's name is known."""

    resource_group: Any = None  # text, Pattern, UNKNOWN; None for a subscription scope

    def member(self, name: str) -> Any:
        return self.resource_group if name.lower() == "name" and self.resource_group is not None else UNKNOWN


@dataclass(frozen=True)
class ResourceRef:
    """A declared resource used in an expression (`storage.name`): its name is known, little else."""

    type: str
    name: Any

    def member(self, name: str) -> Any:
        return self.name if name.lower() == "name" else UNKNOWN
