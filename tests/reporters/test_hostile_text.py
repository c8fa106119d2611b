"""A hostile estate: names, tags, property values, read errors, zone names and baseline entries full of
rich markup, terminal escape sequences, Markdown links and images, HTML, table pipes and secrets.

Every format is produced by the real CLI and checked on its raw output: it renders without a
traceback, and nothing in the data is active (no escape sequence reaches the terminal, no markup
is interpreted, no link, image or tag renders, no secret is written).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import cmarkgfm
import pytest
import yaml
from cmarkgfm.cmark import Options

from tests.reporters.estate import POLICY, SUB_RESEARCH, SUB_SALES, account_id, snapshot, write_snapshot
from tests.reporters.run import bcdr, validate_report, validate_sarif

JWT = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQifQ.c2lnbmF0dXJlLXZhbHVl"
TOKEN = "opaque-live-token-4f9c2a7e1b"  # a pre-issued token that is not a JWT, echoed by a server
HOSTILE = ("[/oops] [link=https://evil]x[/link] \x1b[31mred\x1b[0m \x1b]8;;https://evil\x07osc\x1b]8;;\x07 "
           "\x9b2J ![x](https://evil/p.png) [click](https://evil) <img src=x> | pipe | "
           f"{JWT} {TOKEN}")
NAME = "st-evil[/oops]![x](https:"  # a resource name (the id stays well formed; the name field is the server's)
SGR = re.compile(r"\x1b\[[0-9;]*m")


def hostile_estate(tmp_path: Path) -> tuple[Path, Path, Path]:
    doc = snapshot(with_read_error=False)
    for resource in doc["resources"]:
        if resource["id"] == account_id("stsalesexportweu"):
            resource["name"] = NAME + HOSTILE
            resource["tags"] = {"owner": HOSTILE, HOSTILE: "value"}
        if resource["id"] == account_id("stresearchstaginggwc"):
            resource["sku"] = {"name": HOSTILE}  # a property value the unknown verdict quotes
    doc["gaps"] = [{"scope": f"/subscriptions/{SUB_RESEARCH}/resourceGroups/rg-research-lake", "data": HOSTILE,
                    "error": f"AuthorizationFailed: {HOSTILE}\nsecond line", "status": 403}]
    policy = yaml.safe_load(POLICY.read_text("utf-8"))
    for zone in policy["zones"]:
        if zone["name"] == "dlz-sales":
            zone["name"] = f"dlz-sales {HOSTILE}"
    policy_path = tmp_path / "policy.yaml"
    policy_path.write_text(yaml.safe_dump(policy), "utf-8")
    baseline = tmp_path / "baseline.yaml"
    baseline.write_text(yaml.safe_dump({"version": 1, "accepted_risks": [
        {"check": "STG-002", "resource": f"/subscriptions/{SUB_SALES}/*", "justification": HOSTILE,
         "owner": f"{HOSTILE} ops@evil.example", "expires": "2027-06-30"},
        {"check": "STG-001", "resource": "/subscriptions/none/*", "justification": HOSTILE, "owner": HOSTILE,
         "expires": "2027-06-30"}]}), "utf-8")
    return write_snapshot(tmp_path / "estate.json", doc), policy_path, baseline


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, str]:
    tmp_path = tmp_path_factory.mktemp("hostile")
    estate, policy, baseline = hostile_estate(tmp_path)
    texts = {}
    for fmt in ("table", "markdown", "sarif", "json"):
        run = bcdr("scan", "--snapshot", estate, "--policy", policy, "--baseline", baseline, "--format", fmt,
                   env={"BCDR_SCAN_TOKEN": TOKEN, "COLUMNS": "80"})
        assert run.code in (0, 1, 3), run.err
        assert "Traceback" not in run.err and run.err == ""
        texts[fmt] = run.out
    old = {**json.loads(texts["json"]), "findings": [], "suppressed": []}  # every hostile finding is new
    (tmp_path / "old.json").write_text(json.dumps(old), "utf-8")
    (tmp_path / "new.json").write_text(texts["json"], "utf-8")
    for fmt in ("table", "markdown", "json"):
        run = bcdr("diff", tmp_path / "old.json", tmp_path / "new.json", "--format", fmt)
        assert run.code == 0 and "Traceback" not in run.err, run.err
        texts[f"diff-{fmt}"] = run.out
    return texts


def test_the_hostile_text_really_is_in_the_estate(outputs):
    document = json.loads(outputs["json"])
    names = {f["resource"]["name"] for f in [*document["findings"], *document["suppressed"]]}
    expected = (NAME + HOSTILE).replace(JWT, "<redacted-jwt>").replace(TOKEN, "<redacted>")
    assert expected in names  # the JSON report is faithful: only the secrets are replaced
    assert any(z["name"].startswith("dlz-sales [/oops]") for z in document["zones"])


@pytest.mark.parametrize("fmt", ["table", "markdown", "sarif", "json", "diff-table", "diff-markdown", "diff-json"])
def test_no_secret_and_no_control_character_in_any_format(outputs, fmt):
    text = outputs[fmt]
    assert JWT not in text and TOKEN not in text
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", text)  # no ESC, BEL, CSI: only newlines and tabs


@pytest.mark.parametrize("fmt", ["table", "diff-table"])
def test_terminal_output_shows_markup_and_escapes_as_text(outputs, fmt):
    text = outputs[fmt]
    assert "[/oops]" in text and "[link=https://evil]x[/link]" in text  # shown, not interpreted
    assert "\\x1b[31mred" in text and "\\x9b2J" in text  # visible escapes instead of a colour change


def test_table_keeps_hostile_zone_and_justification_and_reads_at_80_columns(outputs):
    text = outputs["table"]
    assert max(len(line) for line in text.splitlines()) <= 80
    risks = text[text.index("Accepted risks"):]
    assert "STG-002" in risks and "\\x1b[31mred" in risks and "stale: matches no finding" in risks


def test_colour_output_has_only_our_own_colour_codes(tmp_path):
    from scanner.baseline import apply_baseline, load_baseline
    from scanner.engine import evaluate
    from scanner.policy import load_policy
    from scanner.registry import discover
    from scanner.reporters.base import ReportOptions
    from scanner.reporters.table import render_table
    from scanner.snapshot import load_snapshot

    estate, policy, baseline = hostile_estate(tmp_path)
    checks = discover()
    result = evaluate(load_snapshot(estate), load_policy(policy), checks)
    applied = apply_baseline(load_baseline(baseline, [c.id for c in checks]), result)
    for width in (80, 200):
        text = render_table(result, ReportOptions(color=True, width=width, baseline=applied))
        assert SGR.search(text)  # colour is on
        assert "\x1b" not in SGR.sub("", text) and "\x9b" not in text and "\x07" not in text


def test_markdown_renders_nothing_active(outputs):
    for fmt in ("markdown", "diff-markdown"):
        raw = outputs[fmt]
        assert "<img" not in raw and "[click](" not in raw and "](https://evil" not in raw and "<script" not in raw
        html = cmarkgfm.github_flavored_markdown_to_html(raw, options=Options.CMARK_OPT_UNSAFE)
        assert "evil" in html  # the text is there...
        assert not re.search(r"<(a|img)\b[^>]*evil", html) and "<img" not in html  # ...but no link or image
        for line in raw.splitlines():
            if line.startswith("| "):  # every table row keeps its cells: no pipe from the data splits one
                header = next(h for h in raw.split("\n\n") if line in h).splitlines()[0]
                assert line.count(" | ") == header.count(" | ")


def test_sarif_messages_are_plain_text_without_links_or_placeholders(outputs):
    document = json.loads(outputs["sarif"])
    validate_sarif(document)
    assert "<img" not in outputs["sarif"]  # written as \u003c: the same data once parsed
    run = document["runs"][0]
    messages = [r["message"]["text"] for r in run["results"]]
    invocation = run["invocations"][0]
    messages += [n["message"]["text"] for n in invocation["toolExecutionNotifications"]]
    messages += [n["message"]["text"] for n in invocation["toolConfigurationNotifications"]]
    hostile = [m for m in messages if "oops" in m]
    assert len(hostile) >= 3  # a finding, the read error, the unknown verdict and the baseline notices
    for message in messages:
        assert not re.search(r"(?<!\\)[\[\]{}]", message.replace("{{", "").replace("}}", "").replace("\\\\", ""))
        assert "[click](https://evil)" not in message and "\x1b" not in message
    suppressed = [r for r in run["results"] if r.get("suppressions")]
    assert suppressed and all("\x1b" not in s["justification"] for r in suppressed for s in r["suppressions"])


def test_json_report_stays_valid_and_faithful(outputs):
    document = json.loads(outputs["json"])
    validate_report(document)
    assert "<img" not in outputs["json"]
    error = document["coverage"]["read_errors"][0]["error"]
    assert error == f"AuthorizationFailed: {HOSTILE}\nsecond line".replace(JWT, "<redacted-jwt>").replace(
        TOKEN, "<redacted>")
