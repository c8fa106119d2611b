"""The terminal (table) and Markdown reports, and the format chosen when --format is not given."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys

import pytest

from scanner.reporters.base import requirement_text, short_id, zone_summaries
from tests.helpers import REPO
from tests.reporters.estate import POLICY, READ_ERROR, account_id, snapshot, write_snapshot
from tests.reporters.run import bcdr, report, scan

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def section(text: str, start: str, end: str) -> str:
    return text[text.index(start): text.index(end, text.index(start))]


def test_table_groups_findings_by_zone_then_severity_with_counts(tmp_path):
    estate = write_snapshot(tmp_path / "a.json", snapshot())
    text = scan(estate, fmt="table").out
    document = report(estate)
    total = len(document["findings"])
    assert f"{total} findings" in text and "INCOMPLETE (1 read error" in text
    sales = section(text, "dlz-sales · hot-spare", "dlz-research-sandbox · redeploy")
    assert "rg-sales-serving/stsalescuratedweu" in sales and "rg-dmlz-shared/stdmlzauditweu" not in sales
    assert sales.index("HIGH") < sales.index("MEDIUM")
    assert "Coverage by landing zone" in text
    coverage = text[text.index("Coverage ─"):]
    assert "1 read error" in coverage and READ_ERROR["data"][:20] in coverage.replace("\n", "")
    assert "rg-research-lake/stresearchstaginggwc" in coverage  # its SKU was not returned: unknown


def test_markdown_has_zone_summary_findings_by_severity_and_coverage(tmp_path):
    estate = write_snapshot(tmp_path / "a.json", snapshot())
    text = scan(estate, fmt="markdown").out
    document = report(estate)
    zones = text[text.index("### Landing zones"):text.index("### Findings")]
    for zone in document["zones"]:
        assert f"| {zone['name']}" in zones
    high = text[text.index("#### High ("):]
    assert "`rg-sales-serving/stsalescuratedweu`" in high and "docs/checks/STG-001.md" in high
    assert text.index("#### High") < text.index("#### Medium")
    assert "### Coverage" in text and "HTTP 403" in text
    for line in text.splitlines():
        if line.startswith("| "):  # every table row has all its cells
            header = next(h for h in text.split("\n\n") if line in h).splitlines()[0]
            assert line.endswith(" |") and line.count(" | ") == header.count(" | ")


def test_markdown_escapes_table_breaking_text(tmp_path):
    doc = snapshot(with_read_error=False)
    doc["gaps"] = [{"scope": account_id("stresearchlakegwc"), "data": "geoReplicationStats", "status": 500,
                    "error": "InternalServerError | <script>alert(1)</script>\nretry later"}]
    text = scan(write_snapshot(tmp_path / "a.json", doc), fmt="markdown").out
    row = next(line for line in text.splitlines() if "InternalServerError" in line)
    assert "\\|" in row and "<script>" not in row and "&lt;script&gt;" in row


def test_default_format_is_table_on_a_terminal_and_json_otherwise(tmp_path):
    estate = write_snapshot(tmp_path / "a.json", snapshot())
    piped = subprocess.run([sys.executable, "-m", "scanner", "scan", "--snapshot", str(estate), "--policy",
                            str(POLICY)], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert piped.stdout.lstrip().startswith("{")
    controller, terminal = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "scanner", "scan", "--snapshot", str(estate), "--policy",
                             str(POLICY)], stdout=terminal, stderr=subprocess.PIPE, cwd=REPO,
                            env={**os.environ, "COLUMNS": "120"})
    os.close(terminal)
    chunks = []
    while True:
        try:
            data = os.read(controller, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(controller)
    text = ANSI.sub("", b"".join(chunks).decode("utf-8", "replace"))
    assert "Coverage by landing zone" in text and not text.lstrip().startswith("{")


def test_table_caps_findings_per_zone_and_says_how_many_are_left_out(tmp_path, monkeypatch):
    from scanner.engine import evaluate
    from scanner.policy import load_policy
    from scanner.registry import discover
    from scanner.reporters import table
    from scanner.reporters.base import ReportOptions
    from scanner.snapshot import load_snapshot

    result = evaluate(load_snapshot(write_snapshot(tmp_path / "a.json", snapshot())), load_policy(POLICY), discover())
    sales = [o for o in result.findings if o.zone.name == "dlz-sales"]
    assert len(sales) > 2
    monkeypatch.setattr(table, "MAX_FINDING_ROWS_PER_ZONE", 2)
    text = table.render_table(result, ReportOptions())
    assert f"… and {len(sales) - 2} less severe findings in this zone" in text
    shown = section(text, "dlz-sales · hot-spare", "… and")
    rows = re.findall(r"^ (?:CRITICAL|HIGH|MEDIUM|LOW|INFO) +([A-Z]+-\d{3}) ", shown, re.M)
    assert rows == [o.check.id for o in sales[:2]]  # the two most severe


# --- the table at every width and in a pipe ---------------------------------------------------
def sample_scan():
    from scanner.cli import sample_estate
    from scanner.engine import evaluate
    from scanner.policy import load_policy
    from scanner.registry import discover
    from scanner.snapshot import load_snapshot

    estate, policy = sample_estate()
    return evaluate(load_snapshot(estate), load_policy(policy), discover())


def render(result, **options):
    from scanner.reporters.base import ReportOptions
    from scanner.reporters.table import render_table

    return render_table(result, ReportOptions(**options))


@pytest.mark.parametrize("width", [80, 100, 120, 200])
def test_table_fits_its_width_and_cuts_no_number_or_id(width):
    result = sample_scan()
    text = render(result, width=width)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    fix_first = section(text, "Fix first", "Coverage by landing zone")
    rest = text[text.index("Coverage by landing zone"):]
    assert "…" not in rest  # only the one-line messages of "Fix first" are shortened
    joined = re.sub(r"/\n +", "/", rest)  # an id too long for the line is broken after a `/`, nowhere else
    for outcome in result.findings:
        assert short_id(outcome.resource.id) in joined
    lines = rest.splitlines()
    for zone in zone_summaries(result):  # every number of the coverage table is there in full
        r = zone["results"]
        numbers = [zone["resources"], len(zone["checks"]), r["passed"], r["failed"], r["suppressed"], r["unknown"],
                   r["not_applicable"]]
        name = zone["name"] + (" (default)" if zone["default"] else "")
        row = next(i for i, line in enumerate(lines) if re.match(rf"{re.escape(name)}( ·|\s{{2}})", line.strip()))
        if width >= 100:  # the table: the numbers after "RPO / RTO"
            shown = lines[row].split(f"{zone['rpo']} / {zone['rto']}")[1].split()
        else:  # two lines a zone: the numbers on the second
            shown = re.findall(r"\d+", lines[row + 1])
        assert [int(n) for n in shown] == numbers
    assert "next: bcdr-scan checks show" in fix_first


def test_table_at_80_columns_is_a_fraction_of_the_old_grid():
    result = sample_scan()
    text = render(result, width=80)
    # The old four-column grid took 2,127 lines for the 63 findings the sample had then (34 a finding).
    assert len(text.splitlines()) < 8 * len(result.findings)


def test_finding_text_gets_most_of_the_line_at_80_columns():
    text = render(sample_scan(), width=80)
    message = "purge protection is off: deleted keys, secrets and certificates"
    line = next(line for line in text.splitlines() if message in line)
    assert line.index(message) <= 20 and len(line) > 70  # indented past severity and check only


def test_wide_table_puts_the_resource_in_its_own_column():
    result = sample_scan()
    text = render(result, width=200)
    kv = next(line for line in text.splitlines() if " KV-001 " in line and "kv-dmlz-shir-plc" in line)
    assert "purge protection is off" in kv  # id and message on the same line


def test_pipe_width_is_columns_or_100_never_rich_detection(tmp_path, monkeypatch):
    from scanner.reporters.base import ReportOptions, report_width

    assert report_width(ReportOptions(), {}) == 100
    assert report_width(ReportOptions(), {"COLUMNS": "132"}) == 132
    assert report_width(ReportOptions(), {"COLUMNS": "9" * 50}) == 100  # nonsense: the default
    assert report_width(ReportOptions(width=12), {}) == 40  # bounded
    estate = write_snapshot(tmp_path / "a.json", snapshot())
    piped = scan(estate, fmt="table").out  # a subprocess with stdout a pipe: width None
    assert max(len(line) for line in piped.splitlines()) <= 100 and "Fix first" in piped
    monkeypatch.setenv("COLUMNS", "80")
    assert max(len(line) for line in scan(estate, fmt="table").out.splitlines()) <= 80


def test_fix_first_lists_the_most_severe_findings_across_zones_and_points_at_checks_show():
    result = sample_scan()
    text = render(result, width=120)
    block = section(text, "Fix first", "Coverage by landing zone")
    rows = re.findall(r"^ (HIGH|MEDIUM|LOW) +([A-Z]+-\d{3}) +(\S+) · (\S+)", block, re.M)
    assert len(rows) == 5 and {r[0] for r in rows} == {"HIGH"}  # 21 high findings: the top five are all high
    assert {r[2] for r in rows} == {"dlz-sales"}  # among equals, the hot-spare zone first
    first = rows[0][1]
    assert f"next: bcdr-scan checks show {first}" in block
    assert f"Fix first (5 of {len(result.findings)} findings)" in block


def test_coverage_counts_resources_as_the_json_summary_does(tmp_path):
    document = bcdr("scan", "--sample", "--format", "json").json()
    zones = document["zones"]
    # Resources, not the settings read beside them: every resource with a verdict, and those only
    # not-applicable, but no blob service or retention policy (checked below).
    judged = {r["resource"]["id"].lower() for r in bcdr("scan", "--sample", "--format", "json", "--include-passed")
              .json()["passed"] + document["findings"]}
    assert sum(z["resources"] for z in zones) == document["summary"]["resources"] >= len(judged) > 0
    assert all(z["resources"] == z["evaluated_resources"] for z in zones)
    assert not any("blobServices" in t or "RetentionPolicies" in t or "replicationLinks" in t
                   for z in zones for t in z["resources_by_type"])
    text = render(sample_scan(), width=120)
    dmlz = next(line for line in text.splitlines() if line.strip().startswith("dmlz "))
    dmlz_resources = next(z["resources"] for z in zones if z["name"] == "dmlz")
    assert re.search(rf"4h / 8h\s+{dmlz_resources}\s", dmlz)


def test_requirement_lines_say_what_was_required_in_words():
    result = sample_scan()
    text = render(result, width=200)
    assert "requires min_soft_delete_days" not in text and "=optional" not in text.replace(
        "(policy: automatic_failover=optional", "")
    kv = next(o for o in result.findings if o.check.id == "KV-001")
    assert requirement_text(kv) == f"zone {kv.zone.name} ({kv.zone.strategy}) requires purge protection (every " \
                                   "strategy: without it soft-deleted items can be purged at once)"
    low = next(o for o in result.findings if o.check.id == "COS-002" and str(o.severity) == "low")
    assert requirement_text(low).startswith(f"zone {low.zone.name} (warm-spare) recommends failover without an "
                                            "operator (policy: automatic_failover=optional")
    assert requirement_text(low, with_zone=False).startswith("recommended: failover without an operator")
    for outcome in result.findings:  # no raw strategy key reads as what was required
        line = requirement_text(outcome, with_zone=False)
        assert line and not line.startswith(("required: strategy=", "recommended: strategy=")), line
        assert "requires" not in line and not re.match(r"required: [a-z_]+=", line), line


def test_grammar_and_region_metadata_are_truthful(tmp_path):
    result = sample_scan()
    text = render(result, width=100)
    assert "1 findings" not in text and "(1 findings)" not in text
    assert "Region metadata: the snapshot's locations list." in text
    markdown = bcdr("scan", "--sample", "--format", "markdown").out
    assert "Region metadata: the snapshot's locations list." in markdown and " 1 findings" not in markdown
    doc = snapshot()
    doc["locations"] = []
    bare = write_snapshot(tmp_path / "bare.json", doc)
    assert "Region metadata: bundled region table (the snapshot has no locations list)." in " ".join(
        scan(bare, fmt="table").out.split())
