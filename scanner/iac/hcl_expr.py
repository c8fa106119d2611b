"""Terraform expressions, as python-hcl2 hands them over (`"${lower(var.prefix)}-raw"` text), evaluated.

python-hcl2 parses the HCL; it gives an attribute's expression back as HCL text. This module reads
that text (references, function calls, templates, conditionals, lists and objects) and evaluates
it with the values the module knows, the Terraform functions that build names, and UNKNOWN for
everything else (`for` expressions, splats, data sources).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scanner.iac.values import TERRAFORM_FUNCTIONS, UNKNOWN, call, concat_text, is_known

Resolver = Callable[[list[str]], Any]  # a reference path (var.x, local.y, azurerm_x.y.name) -> value
MAX_TEXT = 20_000
MAX_DEPTH = 48


class _Error(ValueError):
    pass


def evaluate_serialized(value: Any, resolve: Resolver, depth: int = 0) -> Any:
    """A value as python-hcl2 serialized it: quoted templates, `${expr}`, numbers, lists, objects."""
    if depth > MAX_DEPTH:
        return UNKNOWN
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            return UNKNOWN
        try:
            if value.startswith('"') and value.endswith('"') and len(value) >= 2:
                return _Reader(value, resolve, depth).template_string()
            if value.startswith("${") and value.endswith("}"):
                reader = _Reader(value[2:-1], resolve, depth)
                result = reader.expression()
                reader.space()
                return result if reader.pos == len(reader.text) else UNKNOWN
        except (_Error, RecursionError):
            return UNKNOWN
        return UNKNOWN if value.startswith("<<") else value
    if isinstance(value, list):
        return [evaluate_serialized(v, resolve, depth + 1) for v in value]
    if isinstance(value, dict):
        return {_key(k): evaluate_serialized(v, resolve, depth + 1) for k, v in value.items()
                if not k.startswith("__")}
    return value


def _key(key: str) -> str:
    return key[1:-1] if len(key) >= 2 and key.startswith('"') and key.endswith('"') else key


@dataclass
class _Reader:
    text: str
    resolve: Resolver
    depth: int
    pos: int = 0

    def space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
            self.pos += 1

    def peek(self, token: str) -> bool:
        self.space()
        return self.text.startswith(token, self.pos)

    def take(self, token: str) -> bool:
        if self.peek(token):
            self.pos += len(token)
            return True
        return False

    def expect(self, token: str) -> None:
        if not self.take(token):
            raise _Error(f"expected {token!r}")

    def nest(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Error("nested too deep")

    # templates
    def template_string(self) -> Any:
        """`"st${var.prefix}raw"` at self.pos (the opening quote)."""
        self.nest()
        self.expect('"')
        parts: list[Any] = []
        buffer: list[str] = []
        escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
        text = self.text
        while True:
            if self.pos >= len(text):
                raise _Error("unterminated string")
            char = text[self.pos]
            if char == "\\" and self.pos + 1 < len(text):
                buffer.append(escapes.get(text[self.pos + 1], text[self.pos + 1]))
                self.pos += 2
            elif char == '"':
                self.pos += 1
                break
            elif text.startswith("$${", self.pos) or text.startswith("%%{", self.pos):
                buffer.append(text[self.pos + 1:self.pos + 3])
                self.pos += 3
            elif text.startswith("${", self.pos):
                parts.append("".join(buffer))
                buffer = []
                self.pos += 2
                self.take("~")
                parts.append(self.expression())
                self.take("~")
                self.expect("}")
            elif text.startswith("%{", self.pos):
                raise _Error("template directive")
            else:
                buffer.append(char)
                self.pos += 1
        parts.append("".join(buffer))
        self.depth -= 1
        return concat_text(parts)

    # expressions
    def expression(self) -> Any:
        self.nest()
        condition = self.binary(0)
        if self.take("?"):
            then = self.expression()
            self.expect(":")
            otherwise = self.expression()
            self.depth -= 1
            if isinstance(condition, bool):
                return then if condition else otherwise
            return then if is_known(then) and then == otherwise else UNKNOWN
        self.depth -= 1
        return condition

    LEVELS = (("||",), ("&&",), ("==", "!="), ("<=", ">=", "<", ">"), ("+", "-"), ("*", "/", "%"))

    def binary(self, level: int) -> Any:
        if level == len(self.LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while True:
            op = next((o for o in self.LEVELS[level] if self.peek(o)), None)
            if op is None or self.peek("=>"):
                return left
            self.pos += len(op)
            right = self.binary(level + 1)
            left = _apply(op, left, right)

    def unary(self) -> Any:
        if self.take("!"):
            value = self.unary()
            return (not value) if isinstance(value, bool) else UNKNOWN
        if self.peek("-") and not self.text[self.pos + 1:self.pos + 2].isdigit():
            self.pos += 1
            value = self.unary()
            return -value if isinstance(value, int | float) and not isinstance(value, bool) else UNKNOWN
        return self.postfix()

    def postfix(self) -> Any:
        path, value = self.primary()
        while True:
            if self.peek(".*") or self.peek("[*]"):
                raise _Error("splat")
            if self.take("."):
                name = self.name()
                if path is not None:
                    path.append(name)
                else:
                    value = _member(value, name)
            elif self.peek("["):
                self.expect("[")
                index = self.expression()
                self.expect("]")
                if path is not None:
                    value, path = _index(self.resolve(path), index), None
                else:
                    value = _index(value, index)
            else:
                return self.resolve(path) if path is not None else value

    def name(self) -> str:
        self.space()
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] in "_-"):
            self.pos += 1
        if start == self.pos:
            raise _Error("expected a name")
        return self.text[start:self.pos]

    def primary(self) -> tuple[list[str] | None, Any]:
        """(reference path, None) for a traversal still being read, or (None, value)."""
        self.space()
        text = self.text
        if self.pos >= len(text):
            raise _Error("unexpected end")
        char = text[self.pos]
        if char == '"':
            return None, self.template_string()
        if char.isdigit():
            start = self.pos
            while self.pos < len(text) and (text[self.pos].isdigit() or text[self.pos] == "."):
                self.pos += 1
            number = text[start:self.pos]
            return None, float(number) if "." in number else int(number[:30])
        if char == "(":
            self.pos += 1
            value = self.expression()
            self.expect(")")
            return None, value
        if char == "[":
            self.pos += 1
            if self.peek("for "):
                raise _Error("for expression")
            items = []
            while not self.take("]"):
                items.append(self.expression())
                self.take(",")
            return None, items
        if char == "{":
            self.pos += 1
            if self.peek("for "):
                raise _Error("for expression")
            result: dict[str, Any] = {}
            while not self.take("}"):
                key = self.expression() if self.peek('"') or self.peek("(") else self.name()
                if not (self.take("=") or self.take(":")):
                    raise _Error("expected '=' in an object")
                value = self.expression()
                if isinstance(key, str):
                    result[key] = value
                self.take(",")
            return None, result
        word = self.name()
        if word in ("true", "false"):
            return None, word == "true"
        if word == "null":
            return None, None
        if self.peek("("):
            self.expect("(")
            args = []
            while not self.take(")"):
                args.append(self.expression())
                if self.take("..."):
                    args.append(UNKNOWN)
                self.take(",")
            namespace, _, function = word.rpartition("::")
            return None, call(TERRAFORM_FUNCTIONS, function if namespace else word, args)
        return [word], None


def _member(value: Any, name: str) -> Any:
    if isinstance(value, dict):
        return value.get(name, UNKNOWN)
    member = getattr(value, "member", None)
    return member(name) if callable(member) else UNKNOWN


def _index(value: Any, index: Any) -> Any:
    if isinstance(value, list) and isinstance(index, int) and not isinstance(index, bool) and \
            -len(value) <= index < len(value):
        return value[index]
    if isinstance(value, dict) and isinstance(index, str):
        return value.get(index, UNKNOWN)
    return UNKNOWN


def _apply(op: str, left: Any, right: Any) -> Any:
    if op in ("&&", "||"):
        if isinstance(left, bool) and isinstance(right, bool):
            return (left and right) if op == "&&" else (left or right)
        return UNKNOWN
    if not (is_known(left) and is_known(right)):
        return UNKNOWN
    if op in ("==", "!="):
        return (left == right) if op == "==" else (left != right)
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (left, right)):
        return UNKNOWN
    operations: dict[str, Callable[[], Any]] = {
        "+": lambda: left + right, "-": lambda: left - right, "*": lambda: left * right,
        "/": lambda: left / right if right else UNKNOWN, "%": lambda: left % right if right else UNKNOWN,
        "<": lambda: left < right, ">": lambda: left > right, "<=": lambda: left <= right,
        ">=": lambda: left >= right}
    return operations[op]()
