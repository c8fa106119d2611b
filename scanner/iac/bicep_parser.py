"""A small, tolerant Bicep parser: declarations, expressions and the line of every property.

It reads what the source map needs (parameters, variables, resources, modules, their bodies,
conditions and loops, and the expressions that name things) and skips, one statement at a time,
whatever it does not understand (user-defined types and functions, imports, lambdas it cannot
follow): a file with newer syntax still yields the declarations around it. The Bicep CLI is not
needed. Bounded: nesting depth and token count are capped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_TOKENS = 400_000
MAX_DEPTH = 64

PUNCTUATION = ("...", "??", "==", "!=", "<=", ">=", "&&", "||", "=~", "!~", "=>", ".?", "[?", "::",
               "{", "}", "[", "]", "(", ")", ":", ",", ".", "?", "=", "<", ">", "+", "-", "*", "/", "%", "!",
               "@", "|")


class BicepSyntaxError(Exception):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class Token:
    kind: str  # name | string | number | punct | newline | eof
    value: Any
    line: int


# --- expression nodes --------------------------------------------------------------------------
@dataclass
class Node:
    line: int


@dataclass
class Literal(Node):
    value: Any


@dataclass
class Template(Node):
    """An interpolated string: literal text and expressions."""

    parts: list[Any]  # str | Node


@dataclass
class Ident(Node):
    name: str


@dataclass
class Member(Node):
    target: Node
    name: str


@dataclass
class Index(Node):
    target: Node
    index: Node


@dataclass
class Call(Node):
    target: Node  # Ident (function) or Member (az.resourceGroup, sys.concat, resource.method)
    args: list[Node]


@dataclass
class ObjectItem:
    key: str | None  # None: a spread (`...other`)
    line: int
    value: Node


@dataclass
class Object(Node):
    items: list[ObjectItem]
    resources: list[Statement] = field(default_factory=list)  # nested child resource declarations

    def get(self, key: str) -> ObjectItem | None:
        return next((i for i in self.items if i.key is not None and i.key.lower() == key.lower()), None)


@dataclass
class Array(Node):
    items: list[Node]


@dataclass
class ForLoop(Node):
    item: str
    index: str | None
    iterable: Node
    body: Node


@dataclass
class Conditional(Node):
    """`if (condition) { ... }` in front of a resource or module body."""

    condition: Node
    body: Node


@dataclass
class Ternary(Node):
    condition: Node
    then: Node
    otherwise: Node


@dataclass
class Binary(Node):
    op: str
    left: Node
    right: Node


@dataclass
class Unary(Node):
    op: str
    operand: Node


@dataclass
class Opaque(Node):
    """Something the parser recognised but does not evaluate (a lambda)."""


# --- statements --------------------------------------------------------------------------------
@dataclass
class Statement:
    keyword: str  # param | var | resource | module | output | targetScope | using
    name: str
    line: int
    value: Node | None = None  # default / value / body
    type: str = ""  # resource type@api-version, module path
    existing: bool = False


@dataclass
class BicepFile:
    statements: list[Statement] = field(default_factory=list)
    errors: list[BicepSyntaxError] = field(default_factory=list)

    def of(self, keyword: str) -> list[Statement]:
        return [s for s in self.statements if s.keyword == keyword]


# --- lexer -------------------------------------------------------------------------------------
class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.tokens: list[Token] = []

    def run(self) -> list[Token]:
        self._lex_until(None)
        self.tokens.append(Token("eof", None, self.line))
        return self.tokens

    def _emit(self, kind: str, value: Any, line: int) -> None:
        if len(self.tokens) >= MAX_TOKENS:
            raise BicepSyntaxError(f"more than {MAX_TOKENS} tokens", line)
        self.tokens.append(Token(kind, value, line))

    def _lex_until(self, closing: str | None, depth: int = 0) -> None:
        """Lex tokens; with `closing` ('}' of an interpolation), stop after the matching brace."""
        text = self.text
        braces = 0
        while self.pos < len(text):
            char = text[self.pos]
            if char == "\n":
                self._emit("newline", None, self.line)
                self.line += 1
                self.pos += 1
            elif char in " \t\r":
                self.pos += 1
            elif text.startswith("//", self.pos) or char == "#":  # a comment; a pragma (`#disable-next-line x`)
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                end = len(text) if end < 0 else end + 2
                self.line += text.count("\n", self.pos, end)
                self.pos = end
            elif text.startswith("'''", self.pos):
                self._multiline_string()
            elif char == "'":
                self._string(depth)
            elif char.isdigit():
                start = self.pos
                while self.pos < len(text) and (text[self.pos].isdigit() or text[self.pos] == "."):
                    self.pos += 1
                number = text[start:self.pos]
                self._emit("number", float(number) if "." in number else int(number[:30]), self.line)
            elif char.isalpha() or char == "_":
                start = self.pos
                while self.pos < len(text) and (text[self.pos].isalnum() or text[self.pos] == "_"):
                    self.pos += 1
                self._emit("name", text[start:self.pos], self.line)
            else:
                punct = next((p for p in PUNCTUATION if text.startswith(p, self.pos)), None)
                if punct is None:
                    self.pos += 1  # a stray character: skipped, the parser will see what is left
                    continue
                if closing is not None:
                    if punct == "{":
                        braces += 1
                    elif punct == "}":
                        if braces == 0:
                            self.pos += 1
                            return
                        braces -= 1
                self._emit("punct", punct, self.line)
                self.pos += len(punct)
        if closing is not None:
            raise BicepSyntaxError("unterminated interpolation", self.line)

    def _string(self, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise BicepSyntaxError("interpolation nested too deep", self.line)
        text, line = self.text, self.line
        self.pos += 1
        parts: list[Any] = []
        buffer: list[str] = []
        escapes = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", "'": "'", "$": "$"}
        while True:
            if self.pos >= len(text) or text[self.pos] == "\n":
                raise BicepSyntaxError("unterminated string", line)
            char = text[self.pos]
            if char == "\\" and self.pos + 1 < len(text):
                buffer.append(escapes.get(text[self.pos + 1], text[self.pos + 1]))
                self.pos += 2
            elif char == "'":
                self.pos += 1
                break
            elif text.startswith("${", self.pos):
                if buffer:
                    parts.append("".join(buffer))
                    buffer = []
                self.pos += 2
                outer = self.tokens
                self.tokens = []
                self._lex_until("}", depth + 1)
                inner, self.tokens = self.tokens, outer
                parts.append([*inner, Token("eof", None, self.line)])
            else:
                buffer.append(char)
                self.pos += 1
        if buffer or not parts:
            parts.append("".join(buffer))
        self._emit("string", parts, line)

    def _multiline_string(self) -> None:
        line = self.line
        end = self.text.find("'''", self.pos + 3)
        if end < 0:
            raise BicepSyntaxError("unterminated multi-line string", line)
        value = self.text[self.pos + 3:end]
        value = value[1:] if value.startswith("\n") else value
        self.line += self.text.count("\n", self.pos, end)
        self.pos = end + 3
        self._emit("string", [value], line)


# --- parser ------------------------------------------------------------------------------------
STATEMENT_KEYWORDS = {"param", "var", "resource", "module", "output", "targetScope", "metadata", "type", "func",
                      "import", "using", "extension", "provider", "test", "assert"}
BINARY_PRECEDENCE = [("??",), ("||",), ("&&",), ("==", "!=", "=~", "!~"), ("<", ">", "<=", ">="), ("+", "-"),
                     ("*", "/", "%")]


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    # token helpers
    @property
    def token(self) -> Token:
        return self.tokens[self.pos]

    def at(self, value: str) -> bool:
        token = self.token
        return token.kind == "punct" and token.value == value

    def at_name(self, value: str | None = None) -> bool:
        return self.token.kind == "name" and (value is None or self.token.value == value)

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind != "eof":
            self.pos += 1
        return token

    def expect(self, value: str) -> Token:
        if not self.at(value):
            raise BicepSyntaxError(f"expected {value!r}", self.token.line)
        return self.advance()

    def skip_newlines(self) -> None:
        while self.token.kind == "newline":
            self.pos += 1

    # statements
    def parse_file(self) -> BicepFile:
        result = BicepFile()
        while True:
            self.skip_newlines()
            if self.token.kind == "eof":
                return result
            start = self.pos
            try:
                statement = self.statement()
                if statement is not None:
                    result.statements.append(statement)
            except BicepSyntaxError as exc:
                result.errors.append(exc)
                self.pos = max(self.pos, start + 1)
                self.recover()

    def recover(self) -> None:
        """Skip to the next line that starts a statement at the top level."""
        while self.token.kind != "eof":
            if self.token.kind == "newline":
                self.skip_newlines()
                if (self.token.kind == "name" and self.token.value in STATEMENT_KEYWORDS) or self.at("@"):
                    return
            else:
                self.advance()

    def statement(self) -> Statement | None:
        if self.at("@"):  # a decorator: @description('...'), @batchSize(1), @sys.secure()
            self.advance()
            self.postfix(self.primary())
            return None
        token = self.advance()
        if token.kind != "name":
            raise BicepSyntaxError("expected a declaration", token.line)
        keyword, line = token.value, token.line
        if keyword == "targetScope":
            self.expect("=")
            return Statement("targetScope", "", line, self.expression())
        if keyword in ("param", "var", "output") and self.at_name():
            name = self.advance().value
            if keyword == "var":
                self.expect("=")
                return Statement("var", name, line, self.expression())
            self.skip_type()
            value = None
            if self.at("="):
                self.advance()
                value = self.expression()
            self.end_of_statement()
            return Statement(keyword, name, line, value)
        if keyword in ("resource", "module") and self.at_name():
            symbol = self.advance().value
            if self.token.kind != "string" or not all(isinstance(p, str) for p in self.token.value):
                raise BicepSyntaxError(f"{keyword} {symbol}: expected a literal type or path", line)
            target = "".join(self.advance().value)
            existing = False
            if self.at_name("existing"):
                self.advance()
                existing = True
            self.expect("=")
            return Statement(keyword, symbol, line, self.body(), type=target, existing=existing)
        if keyword == "using" and self.token.kind == "string":
            return Statement("using", "", line, type="".join(str(p) for p in self.advance().value))
        self.skip_statement()
        return None

    def skip_type(self) -> None:
        """A parameter's or output's type: anything up to `=` or the end of the line, brackets balanced."""
        depth = 0
        while self.token.kind != "eof":
            if depth == 0 and (self.token.kind == "newline" or self.at("=")):
                return
            if self.token.kind == "punct" and self.token.value in ("{", "[", "("):
                depth += 1
            elif self.token.kind == "punct" and self.token.value in ("}", "]", ")"):
                depth -= 1
            self.advance()

    def skip_statement(self) -> None:
        """A statement the source map does not need (type, func, import...): up to the end of its last line."""
        depth = 0
        while self.token.kind != "eof" and not (depth == 0 and self.token.kind == "newline"):
            if self.token.kind == "punct" and self.token.value in ("{", "[", "("):
                depth += 1
            elif self.token.kind == "punct" and self.token.value in ("}", "]", ")"):
                depth -= 1
            self.advance()

    def end_of_statement(self) -> None:
        if self.token.kind not in ("newline", "eof"):
            raise BicepSyntaxError("expected the end of the line", self.token.line)

    def body(self) -> Node:
        """A resource or module body: `{...}`, `if (cond) {...}` or `[for ... : body]`."""
        if self.at_name("if"):
            line = self.advance().line
            self.expect("(")
            condition = self.expression(skip=True)
            self.expect(")")
            return Conditional(line, condition, self.body())
        return self.expression()

    # expressions
    def expression(self, skip: bool = False) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise BicepSyntaxError("expression nested too deep", self.token.line)
        try:
            return self.ternary(skip)
        finally:
            self.depth -= 1

    def ternary(self, skip: bool) -> Node:
        condition = self.binary(0, skip)
        if skip:
            self.skip_newlines()
        if self.at("?"):
            line = self.advance().line
            self.skip_newlines()
            then = self.expression(skip)
            self.skip_newlines()
            self.expect(":")
            self.skip_newlines()
            return Ternary(line, condition, then, self.expression(skip))
        return condition

    def binary(self, level: int, skip: bool) -> Node:
        if level == len(BINARY_PRECEDENCE):
            return self.unary(skip)
        left = self.binary(level + 1, skip)
        while True:
            if skip:
                self.skip_newlines()
            if not (self.token.kind == "punct" and self.token.value in BINARY_PRECEDENCE[level]):
                return left
            op = self.advance()
            self.skip_newlines()
            left = Binary(op.line, op.value, left, self.binary(level + 1, skip))

    def unary(self, skip: bool) -> Node:
        if self.at("!") or self.at("-"):
            op = self.advance()
            return Unary(op.line, op.value, self.unary(skip))
        return self.postfix(self.primary(), skip)

    def postfix(self, node: Node, skip: bool = False) -> Node:
        while True:
            if self.at(".") or self.at(".?") or self.at("::"):
                self.advance()
                if not self.at_name():
                    raise BicepSyntaxError("expected a property name", self.token.line)
                node = Member(node.line, node, self.advance().value)
            elif self.at("[") or self.at("[?"):
                self.advance()
                self.skip_newlines()
                index = self.expression(True)
                self.skip_newlines()
                self.expect("]")
                node = Index(node.line, node, index)
            elif self.at("(") and isinstance(node, Ident | Member):
                node = Call(node.line, node, self.arguments())
            elif self.at("!") and self._postfix_bang():
                self.advance()  # non-null assertion
            else:
                return node

    def _postfix_bang(self) -> bool:
        following = self.tokens[self.pos + 1] if self.pos + 1 < len(self.tokens) else self.token
        return not (following.kind == "punct" and following.value == "=")

    def arguments(self) -> list[Node]:
        self.expect("(")
        args: list[Node] = []
        self.skip_newlines()
        while not self.at(")"):
            args.append(self.expression(True))
            self.skip_newlines()
            if self.at(","):
                self.advance()
                self.skip_newlines()
            elif not self.at(")"):
                raise BicepSyntaxError("expected ',' or ')'", self.token.line)
        self.advance()
        return args

    def primary(self) -> Node:
        token = self.token
        if token.kind == "string":
            self.advance()
            return self.template(token)
        if token.kind == "number":
            self.advance()
            return Literal(token.line, token.value)
        if token.kind == "name":
            self.advance()
            if token.value in ("true", "false"):
                return Literal(token.line, token.value == "true")
            if token.value == "null":
                return Literal(token.line, None)
            if self.at("=>"):  # a lambda: x => ...
                self.advance()
                self.expression()
                return Opaque(token.line)
            return Ident(token.line, token.value)
        if self.at("("):
            self.advance()
            self.skip_newlines()
            if self.at(")"):  # () => ...
                self.advance()
                self.expect("=>")
                self.expression()
                return Opaque(token.line)
            inner = self.expression(True)
            self.skip_newlines()
            if self.at(","):  # (a, b) => ...
                while not self.at(")") and self.token.kind != "eof":
                    self.advance()
                self.expect(")")
                self.expect("=>")
                self.expression()
                return Opaque(token.line)
            self.expect(")")
            if self.at("=>"):
                self.advance()
                self.expression()
                return Opaque(token.line)
            return inner
        if self.at("{"):
            return self.object()
        if self.at("["):
            return self.array()
        raise BicepSyntaxError(f"unexpected {token.value!r}" if token.value else "unexpected end", token.line)

    def template(self, token: Token) -> Node:
        parts: list[Any] = []
        for part in token.value:
            if isinstance(part, str):
                parts.append(part)
            else:
                inner = _Parser(part)
                inner.depth = self.depth
                parts.append(inner.expression(True))
        if all(isinstance(p, str) for p in parts):
            return Literal(token.line, "".join(parts))
        return Template(token.line, parts)

    def object(self) -> Object:
        line = self.expect("{").line
        items: list[ObjectItem] = []
        resources: list[Statement] = []
        while True:
            self.skip_newlines()
            if self.at("}"):
                self.advance()
                return Object(line, items, resources)
            if self.at(","):
                self.advance()
                continue
            if self.at("..."):
                spread = self.advance()
                items.append(ObjectItem(None, spread.line, self.expression()))
                continue
            if self.at("@"):  # a decorator on a property or a nested resource: skipped
                self.advance()
                self.postfix(self.primary())
                continue
            if self.at_name("resource") and self.tokens[self.pos + 1].kind == "name":
                nested = self.statement()
                if nested is not None:
                    resources.append(nested)
                continue
            key = self.advance()
            if key.kind == "name":
                name = key.value
            elif key.kind == "string" and all(isinstance(p, str) for p in key.value):
                name = "".join(key.value)
            else:
                raise BicepSyntaxError("expected a property name", key.line)
            self.expect(":")
            self.skip_newlines()
            items.append(ObjectItem(name, key.line, self.body() if self.at_name("if") else self.expression()))

    def array(self) -> Node:
        line = self.expect("[").line
        self.skip_newlines()
        if self.at_name("for"):
            return self.for_loop(line)
        items: list[Node] = []
        while True:
            self.skip_newlines()
            if self.at("]"):
                self.advance()
                return Array(line, items)
            if self.at(","):
                self.advance()
                continue
            items.append(self.expression())

    def for_loop(self, line: int) -> ForLoop:
        self.advance()
        index = None
        if self.at("("):
            self.advance()
            item = self._name()
            self.expect(",")
            index = self._name()
            self.expect(")")
        else:
            item = self._name()
        if not self.at_name("in"):
            raise BicepSyntaxError("expected 'in'", self.token.line)
        self.advance()
        iterable = self.expression(True)
        self.expect(":")
        self.skip_newlines()
        body = self.body()
        self.skip_newlines()
        self.expect("]")
        return ForLoop(line, item, index, iterable, body)

    def _name(self) -> str:
        if not self.at_name():
            raise BicepSyntaxError("expected a name", self.token.line)
        return self.advance().value


def parse_bicep(text: str) -> BicepFile:
    """Statements of a Bicep (or .bicepparam) file; syntax it cannot read is listed in `errors`."""
    try:
        tokens = _Lexer(text).run()
    except BicepSyntaxError as exc:
        return BicepFile(errors=[exc])
    return _Parser(tokens).parse_file()
