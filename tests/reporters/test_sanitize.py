"""scanner.sanitize: untrusted text kept as text in terminals, logs, Markdown and SARIF; secrets scrubbed.

Markdown is checked by rendering it with cmark-gfm, the GitHub Flavored Markdown engine GitHub
itself uses, with its GitHub extensions (tables, autolinks, strikethrough, tag filter) on.
"""

from __future__ import annotations

import io
import json
import logging
import re

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from scanner.collect.options import _RedactSecrets
from scanner.sanitize import (
    TOKEN_ENV,
    json_bytes,
    json_text,
    log_text,
    markdown_code,
    markdown_text,
    redact,
    rich_markup,
    sarif_text,
    scrub,
    terminal_text,
)

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
HOSTILE = ["[/oops]", "[link=https://evil]x[/link]", "\x1b[31m", "\x1b]8;;https://evil\x07", "\x9b", "\u202e",
           "![x](https://evil/p.png)", "[click](https://evil)", "<img src=x>", "| pipe |", "a\nb\r\tc",
           "<https://evil>", "https://evil.example/x", "www.evil.example", "ops@evil.example", "**b** _i_ `c` ~s~ $m$",
           "&lt;script&gt;", "[x][r]", "back\\slash", "``", JWT]
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def gfm(text: str) -> str:
    # Unsafe mode renders raw HTML as it is: the escaping, not the renderer, must keep it out.
    return cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE)


def rendered_cell(markdown: str) -> str:
    html = gfm(f"| a |\n|---|\n| {markdown} |\n")
    return re.search(r"<td>(.*)</td>", html, re.S).group(1)


def test_redact_moved_to_sanitize_and_is_still_importable_from_auth():
    from scanner.collect.auth import redact as from_auth

    assert from_auth is redact
    assert redact(f"x {JWT} opaque-secret", ["opaque-secret"]) == "x <redacted-jwt> <redacted>"


@pytest.mark.parametrize("text", HOSTILE)
def test_terminal_text_has_no_control_character_and_is_one_line(text):
    safe = terminal_text(text)
    assert not CONTROL.search(safe) and "\n" not in safe
    assert JWT not in safe


def test_controls_are_shown_not_dropped():
    assert terminal_text("a\x1b[31mb\x9bc\u202ed") == "a\\x1b[31mb\\x9bc\\u202ed"
    assert terminal_text("line one\nline two\t!") == "line one line two !"


def test_rich_markup_escapes_brackets_for_apis_that_take_markup():
    from rich.console import Console

    console = Console(file=io.StringIO(), width=200, color_system=None)
    console.print(rich_markup("[/oops] [link=https://evil]x[/link] [bold]b"))
    assert console.file.getvalue().strip() == "[/oops] [link=https://evil]x[/link] [bold]b"


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_text_renders_as_literal_text_with_nothing_active(text):
    html = rendered_cell(markdown_text(text))
    assert "<a " not in html and "<img" not in html and "<code>" not in html and "<em>" not in html
    assert "<strong>" not in html and "<del>" not in html and "<script" not in html
    assert "<" not in markdown_text(text)  # not even a naive reader of the raw file sees a tag
    # The reader sees the text itself (controls made visible, secrets replaced).
    assert html_unescape(html).replace("\u2060", "") == terminal_text(text)


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_code_spans_hold_the_literal_text_in_and_out_of_tables(text):
    in_table = rendered_cell(markdown_code(text, table=True))
    outside = re.sub(r"^<p>|</p>\n$", "", gfm(markdown_code(text)))
    literal = terminal_text(text)
    for html in (in_table, outside):
        assert "<a " not in html and "<img" not in html
        if re.search(r"[<>\[\]]", literal):  # written as escaped text, so the raw file holds no tag or link
            assert "<code>" not in html and html_unescape(html).replace("\u2060", "") == literal
        else:
            assert html_unescape(re.fullmatch(r"<code>(.*)</code>", html, re.S).group(1)).strip() == literal.strip()


def html_unescape(html: str) -> str:
    return re.sub("&(amp|lt|gt|quot);", lambda m: {"amp": "&", "lt": "<", "gt": ">", "quot": '"'}[m.group(1)], html)


def test_sarif_text_escapes_placeholders_and_embedded_links():
    text = sarif_text("[click](https://evil) {0} ![x](https://evil/p.png) a\\b \x1b[31m")
    assert "[click](https://evil)" not in text and not re.search(r"(?<!\\)[\[\]]", text)  # every bracket escaped
    assert text == "\\[click\\](https://evil) {{0}} !\\[x\\](https://evil/p.png) a\\\\b \\\\x1b\\[31m"


def test_scrub_replaces_jwts_and_the_pre_issued_token_even_json_escaped(monkeypatch):
    token = 'opaque"token/with\\chars'
    monkeypatch.setenv(TOKEN_ENV, f"Bearer {token}")
    document = json.dumps({"name": f"vault-{token}", "tag": JWT})
    cleaned = scrub(document)
    assert json.loads(cleaned) == {"name": "vault-<redacted>", "tag": "<redacted-jwt>"}
    monkeypatch.setenv(TOKEN_ENV, "short")  # not a token: ordinary text must not be mangled
    assert scrub("a short name") == "a short name"


def _escaped(text: str) -> str:
    """What json_text / json_bytes should write: secrets scrubbed, then the three characters escaped."""
    return scrub(text).replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


@pytest.mark.parametrize("token", ["", 'opaque"token/with\\chars'])
def test_json_bytes_and_json_text_scrub_and_escape_markup(monkeypatch, token):
    monkeypatch.setenv(TOKEN_ENV, f"Bearer {token}" if token else "")
    document = json.dumps([*HOSTILE, f"vault-{token}", "a & b < c > d", "no markup"], indent=2)
    assert json_bytes(document.encode("ascii")) == _escaped(document).encode("ascii")
    assert json_text(document) == _escaped(document)
    assert json_text("{\"name\": \"caf\u00e9 <b>\"}") == "{\"name\": \"caf\u00e9 \\u003cb\\u003e\"}"  # beyond ASCII
    parsed = json.loads(json_bytes(document.encode("ascii")))
    assert "<img src=x>" in parsed and JWT not in parsed and (not token or f"vault-{token}" not in parsed)


@pytest.mark.parametrize("limit", [100_000, 3])  # spliced in one copy, or replaced char by char past the limit
@pytest.mark.parametrize("text", ["", "plain", "<<&>>", "a<b>c&d" * 50, "&" * 10])
def test_markup_is_escaped_the_same_way_below_and_above_the_splice_limit(monkeypatch, limit, text):
    monkeypatch.setenv(TOKEN_ENV, "")
    monkeypatch.setattr("scanner.sanitize._SPLICE_LIMIT", limit)
    document = json.dumps({"name": text}, indent=2)
    assert json_bytes(document.encode("ascii")) == _escaped(document).encode("ascii")


def test_log_lines_keep_newlines_indented_and_lose_control_characters():
    assert log_text(f"GET /x\nRequest headers:\n    'x': '\x1b]8;;https://evil\x07' {JWT}") == (
        "GET /x\n    Request headers:\n        'x': '\\x1b]8;;https://evil\\x07' <redacted-jwt>")


def test_log_filter_sanitizes_messages_arguments_and_exceptions():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(_RedactSecrets(["s3cret-token-value"]))
    logger = logging.getLogger("bcdr_scan.test_sanitize")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("server said %s", "\x1b[2J\x9b s3cret-token-value\nFAKE forged record")
        try:
            raise ValueError(f"bad \x1b[31m payload {JWT}")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    out = stream.getvalue()
    assert "\x1b" not in out and "\x9b" not in out
    assert "s3cret-token-value" not in out and JWT not in out
    assert "\\x1b[2J" in out and "<redacted>" in out and "<redacted-jwt>" in out
    assert "\nFAKE" not in out and "\n    FAKE forged record" in out
