"""Accepted risks (--baseline), end to end through the CLI: active, expired, stale, glob, not-run, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scanner.baseline import parse_baseline
from scanner.check import Severity
from tests.reporters.estate import POLICY, SUB_SALES, account_id, snapshot, write_snapshot
from tests.reporters.run import bcdr, report, sarif, scan
from tests.scanner.test_user_yaml import BILLION_LAUGHS

CURATED, EXPORT, RAW = account_id("stsalescuratedweu"), account_id("stsalesexportweu"), account_id("stsalesrawweu")
RESEARCH_LAKE = account_id("stresearchlakegwc")
SCAN_DAY = "2026-11-20"  # the sample estate's collected_at: expiry is judged on the scan date


def entry(check: str, resource: str, expires: str = "2027-03-31", **extra: str) -> dict:
    return {"check": check, "resource": resource, "justification": "Rebuilt from the curated zone within the RTO.",
            "owner": "sales-data@contoso.com", "expires": expires, **extra}


def baseline(tmp_path: Path, *entries: dict, name: str = "accepted-risks.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"version": 1, "accepted_risks": list(entries)}, sort_keys=False), "utf-8")
    return path


@pytest.fixture
def estate(tmp_path: Path) -> Path:
    return write_snapshot(tmp_path / "estate.json", snapshot())


def keys(findings: list[dict]) -> set[tuple[str, str]]:
    return {(f["check_id"], f["resource"]["id"]) for f in findings}


def test_active_entry_suppresses_its_finding_and_keeps_it_in_the_report(tmp_path, estate):
    # Written in other casing than ARM returned: ids compare case-insensitively.
    path = baseline(tmp_path, entry("stg-001", CURATED.upper()))
    document = report(estate, "--baseline", path)
    assert ("STG-001", CURATED) not in keys(document["findings"])
    assert keys(document["suppressed"]) == {("STG-001", CURATED)}
    suppression = document["suppressed"][0]["suppression"]
    assert suppression["status"] == "accepted" and suppression["owner"] == "sales-data@contoso.com"
    assert suppression["expires"] == "2027-03-31" and suppression["kind"] == "external"
    assert document["summary"]["suppressed"] == 1
    assert document["summary"]["findings"] == len(report(estate)["findings"]) - 1
    [state] = document["baseline"]["entries"]
    assert state["status"] == "active" and state["matched"] == 1
    zone = next(z for z in document["zones"] if z["name"] == "dlz-sales")
    assert zone["results"]["suppressed"] == 1


def test_fail_on_ignores_suppressed_findings(tmp_path, estate):
    blocking = [f for f in report(estate)["findings"] if Severity(f["severity"]).rank >= Severity.HIGH.rank]
    assert blocking
    assert bcdr("scan", "--snapshot", estate, "--policy", POLICY, "--fail-on", "high").code == 1
    path = baseline(tmp_path, *(entry(f["check_id"], f["resource"]["id"]) for f in blocking))
    run = bcdr("scan", "--snapshot", estate, "--policy", POLICY, "--fail-on", "high", "--baseline", path)
    assert run.code == 3, run.err  # nothing blocking any more; coverage is still incomplete
    # One entry fewer: that finding blocks again.
    path = baseline(tmp_path, *(entry(f["check_id"], f["resource"]["id"]) for f in blocking[1:]), name="b.yaml")
    assert bcdr("scan", "--snapshot", estate, "--policy", POLICY, "--fail-on", "high", "--baseline", path).code == 1


def test_expired_entry_stops_suppressing_and_the_report_says_so(tmp_path, estate):
    path = baseline(tmp_path, entry("STG-001", CURATED, expires="2026-11-19"))
    document = report(estate, "--baseline", path)
    assert document["suppressed"] == []
    back = next(f for f in document["findings"] if (f["check_id"], f["resource"]["id"]) == ("STG-001", CURATED))
    assert back["suppression"]["status"] == "expired" and back["suppression"]["expires"] == "2026-11-19"
    [state] = document["baseline"]["entries"]
    assert state["status"] == "expired" and state["matched"] == 1
    assert bcdr("scan", "--snapshot", estate, "--policy", POLICY, "--check", "STG-001", "--fail-on", "high",
                "--baseline", path).code == 1
    text = scan(estate, "--baseline", path, fmt="table").out
    assert "expired: no longer suppresses" in text
    assert "**expired**" in scan(estate, "--baseline", path, fmt="markdown").out
    notes = sarif(estate, "--baseline", path)["runs"][0]["invocations"][0]["toolConfigurationNotifications"]
    assert [n["descriptor"]["id"] for n in notes] == ["BCDR2001"]
    result = next(r for r in sarif(estate, "--baseline", path, "--check", "STG-001")["runs"][0]["results"]
                  if r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == CURATED)
    assert "suppressions" not in result and result["properties"]["expiredAcceptance"]["expires"] == "2026-11-19"


def test_entry_is_valid_through_its_expiry_date(tmp_path, estate):
    document = report(estate, "--baseline", baseline(tmp_path, entry("STG-001", CURATED, expires=SCAN_DAY)))
    assert keys(document["suppressed"]) == {("STG-001", CURATED)}


def test_entry_matching_nothing_is_reported_stale(tmp_path, estate):
    path = baseline(tmp_path, entry("STG-001", RAW), entry("STG-001", CURATED))  # RAW is RA-GZRS: it passes
    document = report(estate, "--baseline", path)
    states = {e["resource"]: e for e in document["baseline"]["entries"]}
    assert states[RAW]["status"] == "stale" and states[RAW]["matched"] == 0
    assert states[CURATED]["status"] == "active"
    assert "stale: matches no finding" in scan(estate, "--baseline", path, fmt="table").out
    assert "**stale**" in scan(estate, "--baseline", path, fmt="markdown").out
    notes = sarif(estate, "--baseline", path)["runs"][0]["invocations"][0]["toolConfigurationNotifications"]
    assert [n["descriptor"]["id"] for n in notes] == ["BCDR2002"] and RAW in notes[0]["message"]["text"]


def test_glob_entries_match_ids_case_insensitively(tmp_path, estate):
    serving = f"/subscriptions/{SUB_SALES}/resourcegroups/RG-SALES-SERVING/*"
    path = baseline(tmp_path, entry("STG-001", serving))
    document = report(estate, "--baseline", path)
    assert keys(document["suppressed"]) == {("STG-001", CURATED), ("STG-001", EXPORT)}
    assert ("STG-001", RESEARCH_LAKE) in keys(document["findings"])
    assert document["baseline"]["entries"][0]["matched"] == 2
    # A check glob: every finding on one resource.
    everything = report(estate)
    on_export = {k for k in keys(everything["findings"]) if k[1] == EXPORT}
    document = report(estate, "--baseline", baseline(tmp_path, entry("*", EXPORT), name="b.yaml"))
    assert keys(document["suppressed"]) == on_export and len(on_export) >= 1


def test_entry_for_a_check_that_did_not_run_is_neither_active_nor_stale(tmp_path, estate):
    path = baseline(tmp_path, entry("STG-001", CURATED))
    document = report(estate, "--baseline", path, "--check", "STG-002")
    assert document["baseline"]["entries"][0]["status"] == "not-run"


@pytest.mark.parametrize(("content", "field"), [
    ("version: 1\naccepted_risks:\n  - check: STG-001\n    resource: /subscriptions/x/y\n"
     "    owner: me\n    expires: 2027-01-01\n", "accepted_risks[0].justification"),
    ("version: 1\naccepted_risks:\n  - check: STG-001\n    resource: /subscriptions/x/y\n"
     "    justification: ok\n    owner: me\n    expires: next spring\n", "accepted_risks[0].expires"),
    ("version: 1\naccepted_risks:\n  - check: STG-999\n    resource: /subscriptions/x/y\n"
     "    justification: ok\n    owner: me\n    expires: 2027-01-01\n", "accepted_risks[0].check"),
    ("version: 1\naccepted_risks:\n  - check: STG-001\n    resource: stsalesrawweu\n"
     "    justification: ok\n    owner: me\n    expires: 2027-01-01\n", "accepted_risks[0].resource"),
    ("version: 1\naccepted_risks:\n  - check: STG-001\n    resource: /subscriptions/x/y\n"
     "    justification: ok\n    owner: me\n    expires: 2027-01-01\n    ticket: OPS-1\n", "accepted_risks[0].ticket"),
    ("version: 2\naccepted_risks: []\n", "version"),
    ("accepted_risk: []\n", "accepted_risk"),
    ("version: 1\naccepted_risks:\n  - check: STG-001\n   resource: [\n", "line "),
    ("version: 1\naccepted_risks:\n  - check: STG-001\n    resource: /subscriptions/x/y\n"
     "    justification: ok\n    owner: me\n    expires: 2027-02-30\n", "accepted_risks[0].expires: got '2027-02-30'"),
    # A second `expires:` must not silently renew an acceptance.
    ("version: 1\naccepted_risks:\n  - check: STG-001\n    resource: /subscriptions/x/y\n"
     "    justification: ok\n    owner: me\n    expires: 2026-01-01\n    expires: 2099-01-01\n",
     "line 8: duplicate key 'expires' (first given on line 7)"),
    (BILLION_LAUGHS, "line 6: more than 200,000 values"),
    ("version: 1\naccepted_risks: " + "[" * 40 + "]" * 40 + "\n", "line 2: nested deeper than 32 levels"),
    ("version: true\naccepted_risks: []\n", "version"),
])
def test_bad_baseline_exits_2_with_one_line_naming_file_and_field(tmp_path, estate, content, field):
    path = tmp_path / "risks.yaml"
    path.write_text(content, "utf-8")
    out = tmp_path / "report.sarif"
    run = bcdr("scan", "--snapshot", estate, "--policy", POLICY, "--baseline", path, "--format", "sarif", "-o", out)
    assert run.code == 2
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.err
    assert lines[0].startswith(f"bcdr-scan: error: {path}: {field}"), lines[0]
    assert not out.exists()


def test_missing_baseline_file_exits_2(tmp_path, estate):
    run = bcdr("scan", "--snapshot", estate, "--policy", POLICY, "--baseline", tmp_path / "nope.yaml")
    assert run.code == 2 and f"{tmp_path / 'nope.yaml'}: cannot read baseline file" in run.err


@pytest.mark.parametrize(("expires", "day"), [("2027-06-30", "2027-06-30"), ("2027-06-30T23:30:00-05:00", "2027-07-01"),
                                              ("2027-06-30 10:00:00", "2027-06-30")])
def test_expiry_is_an_iso_date_or_a_timestamp_read_as_its_utc_day(expires, day):
    document = {"accepted_risks": [entry("STG-001", CURATED, expires=expires)]}
    assert parse_baseline(document, "b.yaml").entries[0].expires.isoformat() == day
