"""The JSON report: its schema, deterministic order and coverage summary per zone, through the CLI."""

from __future__ import annotations

import json

from scanner.check import Severity
from tests.reporters.estate import READ_ERROR, account_id, snapshot, write_snapshot
from tests.reporters.run import bcdr, report, validate_report

RANK = {str(s): s.rank for s in Severity}


def test_sample_estate_report_validates_against_the_repo_schema():
    run = bcdr("scan", "--sample", "--format", "json", "--include-passed")
    assert run.code in (0, 1, 3), run.err
    document = run.json()
    validate_report(document)
    assert document["kind"] == "bcdr-scan/report" and document["baseline"] is None


def test_findings_come_in_a_deterministic_order_whatever_the_input_order(tmp_path):
    first = report(write_snapshot(tmp_path / "a.json", snapshot()))
    second = report(write_snapshot(tmp_path / "b.json", snapshot(shuffle_seed=5)))
    assert first["findings"] and first["findings"] == second["findings"]
    assert first["coverage"]["unknown"] == second["coverage"]["unknown"]
    assert first["zones"] == second["zones"]
    keys = [(-RANK[f["severity"]], f["check_id"], f["resource"]["id"].lower()) for f in first["findings"]]
    assert keys == sorted(keys)


def test_summary_counts_agree_with_the_lists(tmp_path):
    document = report(write_snapshot(tmp_path / "a.json", snapshot()), "--include-passed")
    summary = document["summary"]
    assert summary["findings"] == len(document["findings"])
    assert summary["suppressed"] == len(document["suppressed"]) == 0
    by_severity = {s: sum(f["severity"] == s for f in document["findings"]) for s in RANK}
    assert summary["findings_by_severity"] == by_severity
    assert summary["results"]["fail"] == len(document["findings"])
    assert summary["results"]["unknown"] == len(document["coverage"]["unknown"])
    assert summary["results"]["pass"] == len(document["passed"])
    assert summary["coverage_complete"] is False
    assert document["coverage"]["read_errors"] == [READ_ERROR]


def test_zone_summary_shows_what_was_and_was_not_examined(tmp_path):
    document = report(write_snapshot(tmp_path / "a.json", snapshot()), "--include-passed")
    zones = {z["name"]: z for z in document["zones"]}
    sales = zones["dlz-sales"]
    assert sales["strategy"] == "hot-spare" and sales["rpo"] == "15m"
    assert sales["resources_by_type"]["Microsoft.Storage/storageAccounts"] == 4
    assert sales["evaluated_resources"] == 4 and "STG-001" in sales["checks"]
    everything = [*document["findings"], *document["coverage"]["unknown"], *document["passed"]]
    for name, zone in zones.items():
        mine = [r for r in everything if r["zone"]["name"] == name]
        assert zone["results"]["failed"] == sum(r["status"] == "fail" for r in mine)
        assert zone["results"]["unknown"] == sum(r["status"] == "unknown" for r in mine)
        assert zone["results"]["passed"] == sum(r["status"] == "pass" for r in mine)
    research = zones["dlz-research"]
    assert research["results"]["unknown"] >= 1  # the account whose SKU was not returned
    assert any(u["resource"]["id"] == account_id("stresearchstaginggwc") and u["zone"]["name"] == "dlz-research"
               for u in document["coverage"]["unknown"])
    assert zones["unclassified"]["default"] is True


def test_report_written_with_output_is_the_same_document(tmp_path):
    estate = write_snapshot(tmp_path / "a.json", snapshot())
    out = tmp_path / "report.json"
    run = bcdr("scan", "--snapshot", estate, "--policy", "fixtures/policies/sample-policy.yaml", "-o", out)
    assert run.code == 3 and run.out == ""  # incomplete coverage, nothing blocking at --fail-on none
    written = json.loads(out.read_text("utf-8"))
    validate_report(written)
    assert written["findings"] == report(estate)["findings"]
