"""`bcdr-scan diff OLD.json NEW.json`, end to end: new / fixed / unchanged / not re-judged, exit codes, bad input."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from tests.reporters.estate import POLICY, SUB_SALES, account_id, snapshot, write_snapshot
from tests.reporters.run import bcdr

CURATED, EXPORT, CATALOG = account_id("stsalescuratedweu"), account_id("stsalesexportweu"), \
    account_id("stdmlzcatalogweu")


def json_report(tmp_path: Path, name: str, document: dict, *args: object) -> Path:
    estate = write_snapshot(tmp_path / f"{name}.snapshot.json", document)
    out = tmp_path / f"{name}.json"
    run = bcdr("scan", "--snapshot", estate, "--policy", POLICY, "--format", "json", "-o", out, *args)
    assert run.code in (0, 1, 3), run.err
    return out


def keys(items: list[dict]) -> set[tuple[str, str]]:
    return {(d["check_id"], d["resource"]["id"]) for d in items}


@pytest.fixture
def reports(tmp_path: Path) -> tuple[Path, Path]:
    """OLD, then NEW after curated was made geo-redundant and the catalogue account was downgraded to LRS."""
    old = json_report(tmp_path, "old", snapshot(), "--check", "STG-001")
    changed = snapshot(skus={"stsalescuratedweu": "Standard_RAGZRS", "stdmlzcatalogweu": "Standard_LRS"})
    new = json_report(tmp_path, "new", changed, "--check", "STG-001")
    return old, new


def test_new_fixed_and_unchanged_findings(reports):
    old, new = reports
    run = bcdr("diff", old, new, "--format", "json")
    assert run.code == 0, run.err
    diff = run.json()
    assert diff["kind"] == "bcdr-scan/diff"
    assert keys(diff["new_findings"]) == {("STG-001", CATALOG)}
    assert keys(diff["fixed"]) == {("STG-001", CURATED)}
    assert ("STG-001", EXPORT) in keys(diff["unchanged"])
    old_doc, new_doc = (json.loads(p.read_text("utf-8")) for p in reports)
    assert keys(diff["new_findings"]) | keys(diff["unchanged"]) == keys(new_doc["findings"])
    assert keys(diff["fixed"]) | keys(diff["unchanged"]) | keys(diff["not_rejudged"]) == keys(old_doc["findings"])
    assert diff["summary"] == {"new": 1, "fixed": 1, "unchanged": len(diff["unchanged"]), "not_rejudged": 0,
                               "new_by_severity": {"critical": 0, "high": 1, "medium": 0, "low": 0, "info": 0}}


def test_exit_1_only_for_new_findings_at_or_above_fail_on(reports):
    old, new = reports
    assert bcdr("diff", old, new, "--fail-on", "high").code == 1
    assert bcdr("diff", old, new, "--fail-on", "medium").code == 1
    assert bcdr("diff", old, new, "--fail-on", "critical").code == 0
    assert bcdr("diff", old, new).code == 0  # --fail-on none by default
    assert bcdr("diff", new, new, "--fail-on", "low").code == 0  # nothing new
    assert bcdr("diff", new, old, "--fail-on", "high").code == 1  # the curated account regressed


def test_a_suppressed_new_finding_does_not_fail_the_diff(tmp_path):
    old = json_report(tmp_path, "old", snapshot(), "--check", "STG-001")
    risks = tmp_path / "risks.yaml"
    risks.write_text(yaml.safe_dump({"version": 1, "accepted_risks": [{
        "check": "STG-001", "resource": CATALOG, "justification": "Catalogue is rebuilt from Purview exports.",
        "owner": "platform@contoso.com", "expires": "2027-01-31"}]}), "utf-8")
    new = json_report(tmp_path, "new", snapshot(skus={"stdmlzcatalogweu": "Standard_LRS"}), "--check", "STG-001",
                      "--baseline", risks)
    run = bcdr("diff", old, new, "--fail-on", "high", "--format", "json")
    assert run.code == 0
    [added] = run.json()["new_findings"]
    assert added["suppression"]["status"] == "accepted"


def test_findings_that_could_not_be_judged_again_are_not_counted_as_fixed(tmp_path):
    old = json_report(tmp_path, "old", snapshot(), "--check", "STG-001")
    # The curated account's SKU was not returned (unknown); the sales subscription became unreadable.
    unreadable = snapshot(skus={"stsalescuratedweu": None}, drop=("stsalesexportweu",))
    unreadable["gaps"].append({"scope": f"/subscriptions/{SUB_SALES}/resourceGroups/rg-sales-serving",
                               "data": "Microsoft.Storage/storageAccounts", "status": 403,
                               "error": "AuthorizationFailed: Reader role was removed"})
    new = json_report(tmp_path, "new", unreadable, "--check", "STG-001")
    diff = bcdr("diff", old, new, "--format", "json").json()
    assert keys(diff["not_rejudged"]) == {("STG-001", CURATED), ("STG-001", EXPORT)}
    assert diff["fixed"] == []
    # A check that did not run proves nothing either.
    other = json_report(tmp_path, "other", snapshot(), "--check", "STG-002")
    diff = bcdr("diff", old, other, "--format", "json").json()
    assert diff["fixed"] == [] and len(diff["not_rejudged"]) == len(json.loads(old.read_text())["findings"])


def test_markdown_and_table_formats(reports):
    old, new = reports
    markdown = bcdr("diff", old, new, "--format", "markdown").out
    assert markdown.startswith("## bcdr-scan diff: 1 new, 1 fixed")
    new_section = markdown[markdown.index("### New findings (1)"):markdown.index("### Fixed (1)")]
    assert "`rg-dmlz-governance/stdmlzcatalogweu`" in new_section
    table = bcdr("diff", old, new, "--format", "table").out
    assert "1 new, 1 fixed" in table and "New findings (1)" in table and "Fixed (1)" in table
    assert "rg-sales-serving/stsalescuratedweu" in table[table.index("Fixed (1)"):]


@pytest.mark.parametrize(("content", "field"), [
    ("{not json", "line 1"),
    ('{"version": "2.1.0", "runs": []}', "kind"),
    (None, "findings[0].severity"),
])
def test_bad_report_exits_2_with_one_line_naming_file_and_field(tmp_path, reports, content, field):
    old, _ = reports
    bad = tmp_path / "bad.json"
    if content is None:
        document = json.loads(old.read_text("utf-8"))
        document["findings"][0]["severity"] = "urgent"
        content = json.dumps(document)
    bad.write_text(content, "utf-8")
    run = bcdr("diff", old, bad)
    assert run.code == 2
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"bcdr-scan: error: {bad}: {field}"), run.err


def _fifo(path: Path) -> None:
    os.mkfifo(path)


@pytest.mark.parametrize(("make", "problem"), [
    (_fifo, "the path is a FIFO (named pipe), not a regular file"),
    (lambda path: path.symlink_to("/dev/zero"), "the path is a device, not a regular file"),
    (lambda path: path.write_text("[" * 100_000 + "]" * 100_000), "JSON nested deeper than 64 levels"),
    (lambda path: path.write_text('{"kind": 1' + "0" * 5000 + "}"), "a number has more than 4,300 digits"),
], ids=["fifo", "/dev/zero", "nested", "5000 digits"])
def test_a_hostile_report_file_is_refused_in_one_line_never_read_forever(tmp_path, reports, make, problem):
    """Read as a snapshot file is: only a regular file, bounded in size and nesting (a FIFO would
    block the read forever, /dev/zero never end it, deep nesting exhaust recursion)."""
    bad = tmp_path / "bad.json"
    make(bad)
    run = bcdr("diff", reports[0], bad)
    lines = run.err.strip().splitlines()
    assert run.code == 2 and len(lines) == 1 and lines[0].startswith(f"bcdr-scan: error: {bad}"), run.err
    assert problem in lines[0]


def test_missing_report_exits_2(tmp_path, reports):
    run = bcdr("diff", reports[0], tmp_path / "absent.json")
    assert run.code == 2 and "cannot read report" in run.err


def test_a_newer_minor_version_with_extra_fields_is_read(tmp_path, reports):
    old, new = reports
    document = json.loads(new.read_text("utf-8"))
    document["schema_version"] = "1.7"
    document["summary"]["estimated_rto"] = "4h"
    document["findings"][0]["blast_radius"] = {"downstream": 3}
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(document), "utf-8")
    run = bcdr("diff", old, newer, "--format", "json")
    assert run.code == 0, run.err
    assert keys(run.json()["new_findings"]) == {("STG-001", CATALOG)}
    document["schema_version"] = "2.0"
    newer.write_text(json.dumps(document), "utf-8")
    run = bcdr("diff", old, newer)
    assert run.code == 2 and f"{newer}: schema_version" in run.err
