"""The terminal (table) and Markdown reports, and the format chosen when --format is not given."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys

from tests.helpers import REPO
from tests.reporters.estate import POLICY, READ_ERROR, account_id, snapshot, write_snapshot
from tests.reporters.run import report, scan

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
