"""Untrusted text made safe for where it is written: terminals, logs, Markdown and SARIF.

Everything a report shows that came from ARM (names, ids, tags, error texts, values quoted in
messages) or from a user file (zone names, baseline owners and justifications, file paths) goes
through one of these helpers at the point it enters a format:

* `terminal_text` / `log_text`: no control character reaches a terminal or a log. C0 and C1
  controls, DEL, ESC and the Unicode bidirectional overrides are shown as `\\xNN` / `\\uNNNN`
  instead of being acted on (colours, cursor moves, OSC 8 hyperlinks, text that reads backwards).
* `markdown_text` / `markdown_code`: inline Markdown with nothing active in it: no link, image,
  autolink, raw HTML, emphasis, math or table-breaking pipe, whatever the text contains.
* `sarif_text`: SARIF plain-text message strings (placeholders and embedded links escaped).
* `html_text` / `script_json`: HTML text and attribute values (entities), and JSON data embedded in
  an HTML `<script type="application/json">` block that no text in it can close or break.
* `redact` / `scrub`: secrets never leave the process: the live token and anything shaped like a
  JWT are replaced in every log line and every report, whatever the source of the text.

The terminal report builds rich `Text` objects from `terminal_text`, never markup strings, so
square brackets in data are printed as they are.
"""

from __future__ import annotations

import functools
import html
import json
import os
import re
from collections.abc import Iterable

# The environment variable holding a pre-issued ARM token (scanner.collect.auth.TOKEN_ENV; repeated
# here so reports need no Azure SDK import).
TOKEN_ENV = "BCDR_SCAN_TOKEN"
# A secret shorter than this is not a real token: replacing it would mangle ordinary text.
MIN_SECRET_LENGTH = 8
# The longest single field a human-readable report prints (ids and messages are far shorter).
MAX_FIELD = 2000

_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
# C0 controls, DEL, C1 controls (0x9b is a one-byte CSI on some terminals), and the invisible
# format characters that reorder or split what a reader sees: bidi marks, embeddings, overrides and
# isolates ("Trojan Source"), line and paragraph separators, the byte-order mark.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_LOG_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
# Markdown: every ASCII punctuation character that opens or closes an inline construct, an entity,
# a table cell or GitHub's math; escaped with a backslash (CommonMark: any ASCII punctuation may be).
_MARKDOWN_ACTIVE = re.compile(r"([\\`*_\[\]|~$])")
# HTML's own characters as entities, so the raw Markdown holds no `<`: not even a naive reader of
# the file (or a test) can take a tag in the data for markup.
_MARKDOWN_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# A code span shows its text literally, but then `<img ...>` or `[x](y)` would stand in the raw file
# as they are; such text is written as escaped inline text instead.
_NOT_FOR_CODE_SPAN = re.compile(r"[<>\[\]]")
# HTML's characters in serialized JSON, as the same data spelled with escapes.
_JSON_HTML_ESCAPES = (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"))
# ...and, inside an HTML page's script block, the two line terminators JavaScript before ES2019 did not
# allow in a string literal (a script that evals or inlines the data would break on them).
_SCRIPT_JSON_ESCAPES = (*_JSON_HTML_ESCAPES, ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))
# What could start a SARIF embedded link ([text](uri)), or escape the escapes.
_SARIF_LINK = re.compile(r"([\\\[\]])")
# GFM extended autolinks start at `scheme://` and `www.`; a backslash before `:` or `.` stops them.
_MARKDOWN_URL = re.compile(r"(?i)(?<=[a-z0-9+.-])(:)(?=//)|(?<=\bwww)(\.)")
# GFM links e-mail addresses after parsing, escaped or not: a word joiner after `@` breaks the match
# (and GitHub @mentions with it) without changing what a reader sees.
_WORD_JOINER = "\u2060"


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` without any known secret and without anything shaped like a JWT."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<redacted>")
    return _JWT.sub("<redacted-jwt>", text) if "eyJ" in text else text  # (the pattern's own prefix: fast)


def report_secrets() -> list[str]:
    """Secrets every report is scrubbed of besides JWTs: the pre-issued token of a live scan, if any."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    if token.lower().startswith("bearer "):
        token = token[7:].strip()
    return [token] if len(token) >= MIN_SECRET_LENGTH else []


def scrub(text: str, secrets: Iterable[str] | None = None) -> str:
    """A whole report with secrets replaced. JSON text is covered too: a secret is also looked for
    in its JSON-escaped spelling, and the replacements contain nothing JSON would escape."""
    known = report_secrets() if secrets is None else [s for s in secrets if s]
    return redact(text, _spellings(tuple(known)))


@functools.lru_cache(maxsize=8)
def _spellings(secrets: tuple[str, ...]) -> tuple[str, ...]:
    """Each secret as written and JSON-escaped, longest first (reports scrub every field they show)."""
    spellings = {s for secret in secrets for s in (secret, json.dumps(secret)[1:-1])}
    return tuple(sorted(spellings, key=len, reverse=True))


def escape_controls(text: str, pattern: re.Pattern[str] = _CONTROL) -> str:
    """Control and invisible format characters shown as `\\xNN` / `\\uNNNN` escapes."""
    return pattern.sub(_visible, text)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def one_line(value: object) -> str:
    """Whitespace runs (newlines and tabs included) folded into single spaces."""
    return " ".join(str(value).split())


def terminal_text(value: object, secrets: Iterable[str] | None = None, limit: int = MAX_FIELD) -> str:
    """One line of text safe to print on a terminal: secrets replaced, no control character left,
    at most `limit` characters (a hostile server can send a megabyte of name; the JSON keeps it all)."""
    text = escape_controls(one_line(scrub(str(value), secrets)))
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text) - limit} more characters)"


def log_text(text: str, secrets: Iterable[str] = ()) -> str:
    """A log message: secrets replaced, control characters escaped except newlines and tabs, and
    every continuation line indented so a newline in server text cannot pass for a log record."""
    text = escape_controls(redact(text, secrets), _LOG_CONTROL)
    return text.replace("\n", "\n    ")


def rich_markup(value: object) -> str:
    """`terminal_text` with rich markup escaped, for the rare API that takes a markup string."""
    from rich.markup import escape

    return escape(terminal_text(value))


def markdown_text(value: object) -> str:
    """Inline Markdown that renders as the literal text, in a table cell or not: one line, secrets
    replaced, controls visible, and no link, image, autolink, HTML, emphasis, code, math or table
    pipe it could start."""
    text = terminal_text(value)
    text = _MARKDOWN_ACTIVE.sub(r"\\\1", text)
    text = re.sub("[&<>]", lambda m: _MARKDOWN_ENTITIES[m.group()], text)
    text = _MARKDOWN_URL.sub(lambda m: "\\" + m.group(), text)
    return text.replace("@", "@" + _WORD_JOINER)


def markdown_code(value: object, *, table: bool = False) -> str:
    """A Markdown code span holding the literal text. Inside a GFM table a pipe must still be
    escaped (the table splits cells before inline parsing); outside one, `\\|` would show."""
    text = terminal_text(value)
    if _NOT_FOR_CODE_SPAN.search(text):
        return markdown_text(value)
    if table:
        text = text.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) or not text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def json_text(text: str) -> str:
    """`json_bytes` for serialized JSON held as text (an explanation, a diff)."""
    return json_bytes(text.encode("utf-8")).decode("utf-8")


def json_bytes(data: bytes) -> bytes:
    """Serialized JSON (a report, a SARIF log; UTF-8, ASCII as scanner.jsonwrite.indented_json writes it)
    scrubbed of secrets, with `<`, `>` and `&` written as `\\u003c`, `\\u003e`, `\\u0026`: the same data
    once parsed, but no tag can appear in the raw file if a viewer embeds it in a page. Bytes, so a 64 MB
    report is not decoded to text and back (each fresh copy costs its page faults)."""
    if report_secrets() or b"eyJ" in data:  # something to scrub: rare, done on text
        data = scrub(data.decode("utf-8")).encode("utf-8")
    return _escape_markup(data)  # the three are ASCII: never part of a multi-byte UTF-8 sequence


_MARKUP_ESCAPES = {ord(char): escaped.encode() for char, escaped in _JSON_HTML_ESCAPES}
_SPLICE_LIMIT = 100_000


def _escape_markup(data: bytes) -> bytes:
    """`&`, `<` and `>` escaped in one copy of the text: a 64 MB report holds a few thousand of them, and each
    `bytes.replace` that finds one makes a whole new copy (three fresh 64 MB blocks, 0.2 s of page faults)."""
    found: list[int] = []
    for byte in _MARKUP_ESCAPES:
        at = data.find(byte)
        while at >= 0:
            found.append(at)
            if len(found) > _SPLICE_LIMIT:  # text full of them: a replace per character beats this loop
                for char, escaped in _MARKUP_ESCAPES.items():
                    data = data.replace(bytes([char]), escaped)
                return data
            at = data.find(byte, at + 1)
    if not found:
        return data
    found.sort()
    view, pieces, start = memoryview(data), [], 0
    for at in found:
        pieces += (view[start:at], _MARKUP_ESCAPES[data[at]])
        start = at + 1
    pieces.append(view[start:])
    return b"".join(pieces)


def sarif_text(value: object) -> str:
    """A SARIF plain-text message string (SARIF 2.1.0 §3.11.5, §3.11.6): one line, secrets replaced,
    controls visible; `{` and `}` doubled so they are not placeholders, and backslashes and square
    brackets escaped so no `[text](uri)` embedded link can form."""
    text = terminal_text(value)
    text = text.replace("{", "{{").replace("}", "}}")
    return _SARIF_LINK.sub(r"\\\1", text) if "\\" in text or "[" in text or "]" in text else text


def html_text(value: object) -> str:
    """Untrusted text as HTML text or a quoted attribute value: `terminal_text` (one line, secrets
    replaced, controls visible, capped) with `&`, `<`, `>`, `"` and `'` as character references."""
    return html.escape(terminal_text(value), quote=True)


def script_json(value: object) -> str:
    """`value` as compact JSON to embed in an HTML `<script type="application/json">` block, scrubbed
    of secrets: `<`, `>`, `&`, U+2028 and U+2029 written as `\\u003c`... so no `</script>` or `<!--` in
    the data can end the block; JSON.parse gives the data back unchanged. Those characters occur only
    inside JSON strings, where the escapes mean the same characters."""
    text = scrub(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
    for char, escaped in _SCRIPT_JSON_ESCAPES:
        text = text.replace(char, escaped)
    return text
