"""The HTML report (`--format html`): one self-contained page, checked on its raw text and in a browser.

Raw page: well formed (a strict parser), a Content-Security-Policy that forbids every fetch and
allows exactly the inline style sheet and script by hash, and no resource load at all. The rule for
URLs: nothing has a `src`, there is no `<link>`, `<img>`, frame, object or embed, the CSS has no
`@import` or `url(`; the only `href`s are `#fragment` links within the page and `https://` links on
`<a>` elements to the documentation (navigation when clicked, never a load); no `http://` anywhere.

In headless Chromium (tests/chromium.py; skipped without it, failing in CI): the counts the page shows
(total, per severity, matrix cells, "N of M") equal the JSON report's for the same scan, with and
without a filter in the URL fragment; and hostile names stay text, with no element injected.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from scanner.check import Severity
from scanner.registry import discover
from scanner.sanitize import script_json, terminal_text
from tests.chromium import dump_dom, screenshot
from tests.reporters.dom import Element, parse
from tests.reporters.run import bcdr
from tests.reporters.test_hostile_text import JWT, TOKEN, hostile_estate
from tests.test_github_workflow import file_of

PAYLOAD = "</script><script>alert(1)</script><b id=\"injected\">x</b> \"quoted\" 'single' &amp; \u2028\u2029 <!--"
SERVICE = {c.id: c.service for c in discover()}


# --- fixtures: the real CLI writes the page and the JSON report of the same scan -------------------------
@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Path, dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("html-sample")
    page = tmp / "report.html"
    run = bcdr("scan", "--sample", "--format", "html", "-o", page)
    assert run.code in (0, 1, 3) and run.out == "", run.err
    document = bcdr("scan", "--sample", "--format", "json").json()
    return page, document


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[Path, dict[str, Any], str]:
    """The hostile estate of test_hostile_text, with PAYLOAD in a zone name and a resource name too."""
    import yaml

    tmp = tmp_path_factory.mktemp("html-hostile")
    estate, policy, baseline = hostile_estate(tmp)
    doc = json.loads(estate.read_text("utf-8"))
    for resource in doc["resources"]:
        if resource["name"] == "stdmlzauditweu":
            resource["name"] = f"stdmlzauditweu{PAYLOAD}"
    estate.write_text(json.dumps(doc), "utf-8")
    rules = yaml.safe_load(policy.read_text("utf-8"))
    zone = next(z for z in rules["zones"] if z["name"] == "dmlz")
    zone["name"] = f"dmlz {PAYLOAD}"
    policy.write_text(yaml.safe_dump(rules), "utf-8")
    args = ("scan", "--snapshot", estate, "--policy", policy, "--baseline", baseline)
    env = {"BCDR_SCAN_TOKEN": TOKEN}
    page = tmp / "hostile.html"
    run = bcdr(*args, "--format", "html", "-o", page, env=env)
    assert run.code in (0, 1, 3) and "Traceback" not in run.err, run.err
    document = bcdr(*args, "--format", "json", env=env).json()
    return page, document, zone["name"]


def embedded(tree: Element) -> list[dict[str, str]]:
    return json.loads(tree.by_id("findings-data").text)["findings"]


def sha256_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


# --- the raw page -------------------------------------------------------------------------------------
def test_page_is_well_formed_and_its_csp_allows_only_its_own_inline_style_and_script(sample):
    raw = sample[0].read_text("utf-8")
    assert raw.startswith("<!DOCTYPE html>\n")
    tree = parse(raw)  # strict: every element closed, in order
    head = tree.find("head")
    csp = head.find("meta", http_equiv="Content-Security-Policy")
    first = [c for c in head.children if isinstance(c, Element)]
    assert first.index(csp) < first.index(head.find_all("style")[0])  # in force before anything it governs
    policy = dict(d.strip().split(" ", 1) for d in csp.get("content").split(";"))
    assert policy["default-src"] == "'none'" and policy["base-uri"] == "'none'" and policy["form-action"] == "'none'"
    assert policy["img-src"] == "data:"
    scripts = tree.find_all("script")
    code = [s for s in scripts if s.get("type") is None]
    assert len(scripts) == 2 and len(code) == 1 and scripts[0].get("type") == "application/json"
    assert policy["script-src"] == sha256_source(code[0].text)  # exactly this script, no 'unsafe-inline'
    styles = head.find_all("style")  # the sheet, and the one line <noscript> adds
    assert policy["style-src"] == " ".join(sha256_source(style.text) for style in styles)


def test_page_loads_nothing_from_anywhere(sample):
    raw = sample[0].read_text("utf-8")
    tree = parse(raw)
    assert not tree.find_all(None, src=True)
    for tag in ("link", "img", "iframe", "frame", "object", "embed", "video", "audio", "source", "base", "form"):
        assert not tree.find_all(tag), tag
    links = tree.find_all(None, href=True)
    assert links and all(e.tag == "a" for e in links)
    assert all(e.get("href").startswith(("#", "https://")) for e in links)
    pages = {e.get("href") for e in links if e.get("href").startswith("https://")}
    assert any("/docs/checks/" in u for u in pages)  # the checks' documentation pages and the recovery model
    assert all(file_of(u).is_file() for u in pages), sorted(u for u in pages if not file_of(u).is_file())
    css = "".join(style.text for style in tree.find_all("style"))
    assert "@import" not in css and "url(" not in css
    assert "http://" not in raw
    assert not tree.find_all(None, style=True)  # a style="" attribute would be blocked by the CSP anyway


def test_without_a_script_the_noscript_style_shows_the_table_the_sheet_hides_while_parsing(sample):
    head = parse(sample[0].read_text("utf-8")).find("head")
    assert "table.pending { display: none; }" in head.find_all("style")[0].text
    assert head.find("noscript").find("style").text == "table.pending { display: table; }"
    assert "pending" in parse(sample[0].read_text("utf-8")).by_id("findings").get("class").split()


def test_static_page_shows_the_json_reports_counts_without_a_script(sample):
    page, document = sample
    tree = parse(page.read_text("utf-8"))
    summary = document["summary"]
    assert tree.find(None, data_count="findings").text == str(summary["findings"])
    assert tree.find(None, data_count="resources").text == str(summary["resources"])
    shown = {e.get("data-severity-count"): int(e.text) for e in tree.find_all(None, data_severity_count=True)}
    assert shown == {s: n for s, n in summary["findings_by_severity"].items() if n}
    assert "hidden" in tree.by_id("controls").attrs  # filters appear only where a script runs them
    rows = tree.by_id("findings").find("tbody").find_all("tr")
    assert len(rows) == summary["findings"] == len(embedded(tree))
    assert_matrix(tree, document["findings"], lambda f: f["zone"]["name"])


def test_rows_and_embedded_json_are_the_json_reports_findings_in_its_order(sample):
    page, document = sample
    tree = parse(page.read_text("utf-8"))
    data = embedded(tree)
    rows = tree.by_id("findings").find("tbody").find_all("tr")
    for row, item, finding in zip(rows, data, document["findings"], strict=True):
        assert (item["check"], item["severity"], item["zone"], item["service"]) == (
            finding["check_id"], finding["severity"], finding["zone"]["name"], SERVICE[finding["check_id"]])
        cells = [c.text for c in row.find_all("td")]
        assert cells[:5] == [item[k] for k in ("check", "severity", "zone", "service", "resource")]
        assert cells[5].startswith(item["message"]) and cells[6] == item["source"]
    sources = Counter(f["source"]["status"] for f in document["findings"])
    assert sum(":" in item["source"] for item in data) == sources["mapped"] > 0  # file:line where mapped
    mapped = tree.by_id("source-map").find("tbody").find_all("td")
    assert [int(c.text) for c in mapped] == [document["summary"]["source_map"][k] for k in
                                             ("mapped", "ambiguous", "unmapped")]


def test_zone_coverage_and_readiness_sections_follow_the_json_report(sample):
    page, document = sample
    tree = parse(page.read_text("utf-8"))
    rows = tree.by_id("zones").find("tbody").find_all("tr")
    assert len(rows) == len(document["zones"])
    for row, zone in zip(rows, document["zones"], strict=True):
        cells = [c.text for c in row.find_all("td")]
        assert cells[0].removesuffix(" (default)") == zone["name"]
        r = zone["results"]
        assert cells[5:] == [str(v) for v in (zone["resources"], len(zone["checks"]), r["passed"], r["failed"],
                                              r["suppressed"], r["unknown"], r["not_applicable"])]
    readiness = tree.by_id("readiness").find("tbody").find_all("tr")
    zones = [z for z in document["readiness"]["zones"] if z["resources"]]
    assert len(readiness) == 2 * len(zones)
    for row, (zone, scenario) in zip(readiness, [(z, s) for z in zones
                                                 for s in ("regional_outage", "deletion_or_corruption")], strict=True):
        cells = [c.text for c in row.find_all("td")]
        counts = zone[scenario]
        assert cells[0] == zone["zone"] and cells[5:] == [str(counts[k]) for k in ("meeting", "missing", "unknown")]


def test_hostile_text_stays_text_in_the_page_and_its_json(hostile):
    page, document, zone = hostile
    raw = page.read_text("utf-8")
    tree = parse(raw)  # the payload's </script> and <!-- ended nothing: the page is still well formed
    assert len(tree.find_all("script")) == 2
    assert not tree.find_all(None, id="injected") and not tree.find_all("b") and not tree.find_all("img")
    assert JWT not in raw and TOKEN not in raw
    assert "\u2028" not in raw and "\u2029" not in raw
    data = embedded(tree)
    shown = terminal_text(zone)
    assert sum(item["zone"] == shown for item in data) == sum(f["zone"]["name"] == zone for f in document["findings"])
    assert any("stdmlzauditweu</script><script>alert(1)" in item["message"] for item in data)
    block = raw[raw.index('id="findings-data">'):]
    block = block[:block.index("</script>")]
    assert "<" not in block.removeprefix('id="findings-data">') and "&" not in block  # all as \u003c, \u0026
    assert tree.find(None, data_zone=shown, data_service="Storage")  # a matrix cell of the hostile zone
    coverage = document["coverage"]  # the estate's read error and unknown verdict, and its baseline
    assert tree.find(None, data_count="coverage").text == "incomplete"
    assert tree.find(None, data_count="read-errors").text == str(len(coverage["read_errors"]))
    assert tree.find(None, data_count="unknown").text == str(len(coverage["unknown"]))
    assert tree.find(None, data_count="suppressed").text == str(document["summary"]["suppressed"])
    risks = tree.by_id("accepted-risks").find("tbody").find_all("tr")
    assert len(risks) == len(document["suppressed"]) > 0


def test_script_json_escapes_what_could_end_or_break_a_script_block():
    value = {"name": PAYLOAD, "jwt": JWT}
    text = script_json(value)
    assert not re.search("[<>&\u2028\u2029]", text)
    assert "\\u003c/script\\u003e" in text and "\\u2028\\u2029" in text
    assert json.loads(text) == {"name": PAYLOAD, "jwt": "\u003credacted-jwt\u003e"}


# --- in a browser ------------------------------------------------------------------------------------
def visible_rows(tree: Element) -> list[list[str]]:
    return [[c.text for c in row.find_all("td")] for row in tree.by_id("findings").find("tbody").find_all("tr")
            if "hidden" not in row.attrs]


def shown_counts(tree: Element) -> tuple[int, int, dict[str, int]]:
    per_severity = {e.get("data-shown-severity"): int(e.text) for e in tree.find_all(None, data_shown_severity=True)}
    return int(tree.by_id("shown-count").text), int(tree.by_id("total-count").text), per_severity


def assert_matrix(tree: Element, findings: list[dict[str, Any]], zone_of) -> None:
    """Every cell, row total and column total of the zone x service grid against the JSON report's findings."""
    cells = Counter((zone_of(f), SERVICE[f["check_id"]]) for f in findings)
    matrix = tree.by_id("matrix")
    grid = matrix.find_all("td", data_zone=True, data_service=True)
    assert grid and sum(int(c.get("data-count")) for c in grid) == len(findings)
    for cell in grid:
        expected = cells[(cell.get("data-zone"), cell.get("data-service"))]
        assert cell.get("data-count") == cell.text == str(expected), (cell.attrs, expected)
        if expected:
            worst = max((Severity(f["severity"]) for f in findings
                         if (zone_of(f), SERVICE[f["check_id"]]) == (cell.get("data-zone"), cell.get("data-service"))),
                        key=lambda s: s.rank)
            assert cell.get("class") == f"cell-{worst}"
    zones = Counter(zone_of(f) for f in findings)
    for cell in [c for c in matrix.find_all("td", data_zone=True) if "data-service" not in c.attrs]:
        assert cell.text == str(zones[cell.get("data-zone")])
    services = Counter(SERVICE[f["check_id"]] for f in findings)
    for cell in [c for c in matrix.find_all("td", data_service=True) if "data-zone" not in c.attrs]:
        assert cell.text == str(services[cell.get("data-service")])


def test_browser_shows_the_json_reports_counts(sample, tmp_path):
    page, document = sample
    loaded = dump_dom(page, tmp_path / "profile")
    assert "Content Security Policy" not in loaded.stderr and "Uncaught" not in loaded.stderr, loaded.stderr[-2000:]
    tree = parse(loaded.dom)
    total = document["summary"]["findings"]
    assert "hidden" not in tree.by_id("controls").attrs  # the script ran (the CSP let it) and showed the filters
    assert "pending" not in tree.by_id("findings").get("class")  # and then the table, laid out once
    assert shown_counts(tree) == (total, total, {s: n for s, n in document["summary"]["findings_by_severity"].items()
                                                 if n})
    assert len(visible_rows(tree)) == total
    assert tree.find(None, data_count="findings").text == str(total)
    assert_matrix(tree, document["findings"], lambda f: f["zone"]["name"])


@pytest.mark.parametrize("filters", [{"severity": "high", "zone": "dlz-sales"}, {"service": "Storage"},
                                     {"check": "GEN-001", "zone": "dmlz"}, {"check": "NOPE-999"}])
def test_browser_applies_the_filter_in_the_url_fragment(sample, tmp_path, filters):
    page, document = sample

    def value(finding: dict[str, Any], key: str) -> str:
        return {"severity": finding["severity"], "zone": finding["zone"]["name"], "check": finding["check_id"],
                "service": SERVICE[finding["check_id"]]}[key]

    expected = [f for f in document["findings"] if all(value(f, k) == v for k, v in filters.items())]
    tree = parse(dump_dom(page, tmp_path / "profile", urlencode(filters)).dom)
    shown, total, per_severity = shown_counts(tree)
    assert (shown, total) == (len(expected), document["summary"]["findings"])
    by_severity = Counter(f["severity"] for f in expected)
    assert per_severity == {s: by_severity[s] for s in per_severity}
    rows = visible_rows(tree)
    assert len(rows) == len(expected)
    columns = {"check": 0, "severity": 1, "zone": 2, "service": 3}
    assert all(row[columns[k]] == v for row in rows for k, v in filters.items())


def test_browser_sorts_by_the_column_in_the_url_fragment(sample, tmp_path):
    page, document = sample
    tree = parse(dump_dom(page, tmp_path / "profile", "sort=-zone&severity=medium").dom)
    zones = [row[2] for row in visible_rows(tree)]
    assert len(zones) == document["summary"]["findings_by_severity"]["medium"] and zones == sorted(zones, reverse=True)
    header = tree.by_id("findings").find("th", data_key="zone")
    assert header.get("aria-sort") == "descending"
    tree = parse(dump_dom(page, tmp_path / "profile", "sort=severity").dom)
    ranks = [Severity(row[1]).rank for row in visible_rows(tree)]
    assert ranks == sorted(ranks, reverse=True) and len(ranks) == document["summary"]["findings"]


def test_browser_keeps_hostile_names_as_text_and_filters_by_them(hostile, tmp_path):
    page, document, zone = hostile
    shown = terminal_text(zone)
    loaded = dump_dom(page, tmp_path / "profile", urlencode({"zone": shown}))
    tree = parse(loaded.dom)
    assert len(tree.find_all("script")) == 2 and not tree.find_all(None, id="injected")
    assert not tree.find_all("b") and not tree.find_all("img")
    assert "alert(1)" not in tree.find_all("script")[1].text  # our script, not the payload's
    expected = sum(f["zone"]["name"] == zone for f in document["findings"])
    assert expected and shown_counts(tree)[0] == expected
    rows = visible_rows(tree)
    assert len(rows) == expected and all(row[2] == shown for row in rows)  # the payload, as text in the cell
    assert any("</script><script>alert(1)</script>" in row[5] for row in rows)
    assert_matrix(tree, document["findings"], lambda f: terminal_text(f["zone"]["name"]))


def test_browser_blocks_a_script_injected_into_the_page(sample, tmp_path):
    """What the CSP is for: had text in the data become a script element, it would not run."""
    page, _ = sample
    raw = page.read_text("utf-8")
    injected = tmp_path / "injected.html"
    injected.write_text(raw.replace("<body>", '<body><script>document.title = "pwned";</script>', 1), "utf-8")
    loaded = dump_dom(injected, tmp_path / "profile")
    tree = parse(loaded.dom)
    assert tree.find("title").text != "pwned"
    assert "Content Security Policy" in loaded.stderr
    assert "hidden" not in tree.by_id("controls").attrs  # while the page's own script still runs


def test_browser_screenshot_is_a_real_image(sample, tmp_path):
    out = screenshot(sample[0], tmp_path / "profile", tmp_path / "report.png")
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000
