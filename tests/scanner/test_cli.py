"""The command line as a user meets it: exit codes, one-line errors, atomic output."""

import json
from pathlib import Path

import pytest

from scanner.cli import main
from tests.helpers import REPO

SAMPLE_POLICY = REPO / "fixtures" / "policies" / "sample-policy.yaml"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    out, err = capsys.readouterr()
    return exited.value.code, out, err


def assert_one_line_error(code: int, err: str, *words: str) -> None:
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("bcdr-scan: error: ")
    assert "Traceback" not in err
    for word in words:
        assert word in lines[0]


def test_sample_scan_prints_a_json_report_with_findings(capsys):
    code, out, _ = run(capsys, "scan", "--sample", "--format", "json")
    report = json.loads(out)
    assert code == 0
    assert report["tool"]["name"] == "bcdr-scan"
    assert report["summary"]["findings"] == len(report["findings"]) > 0
    assert report["coverage"]["region_metadata"] == "live"
    assert all(f["zone"]["name"] and f["requirement"] for f in report["findings"])


def test_fail_on_sets_exit_code_one(capsys):
    code, out, _ = run(capsys, "scan", "--sample", "--format", "json", "--fail-on", "high")
    assert code == 1
    assert any(f["severity"] in ("high", "critical") for f in json.loads(out)["findings"])


def test_fail_on_ignores_findings_below_the_threshold(capsys):
    # STG-001 only reports "high"; filtering on critical must not fail.
    code, _, _ = run(capsys, "scan", "--sample", "--format", "json", "--check", "STG-001", "--fail-on", "critical")
    assert code == 0


def test_check_and_skip_check_select_checks(capsys):
    _, out, _ = run(capsys, "scan", "--sample", "--format", "json", "--check", "stg-001")
    assert json.loads(out)["scan"]["checks"] == ["STG-001"]
    _, out, _ = run(capsys, "scan", "--sample", "--format", "json", "--skip-check", "STG-001")
    assert "STG-001" not in json.loads(out)["scan"]["checks"]


def test_include_passed_lists_passing_results(capsys):
    _, out, _ = run(capsys, "scan", "--sample", "--format", "json", "--include-passed")
    report = json.loads(out)
    assert len(report["passed"]) == report["summary"]["results"]["pass"] > 0
    _, out, _ = run(capsys, "scan", "--sample", "--format", "json")
    assert "passed" not in json.loads(out)


def test_unknown_check_id_exits_2_with_one_line(capsys):
    code, _, err = run(capsys, "scan", "--sample", "--check", "STG-999")
    assert_one_line_error(code, err, "--check", "STG-999")


def test_bad_policy_exits_2_naming_file_and_field(capsys, tmp_path: Path):
    policy = tmp_path / "lz.yaml"
    policy.write_text("zones:\n  - name: a\n    strategy: hot-spare\n    rpo: whenever\n    rto: 1h\n"
                      "    match: {subscriptions: [x]}\n")
    code, _, err = run(capsys, "scan", "--sample", "--policy", str(policy))
    assert_one_line_error(code, err, str(policy), "zones[0].rpo")


def test_bad_snapshot_exits_2_and_leaves_existing_output_untouched(capsys, tmp_path: Path):
    snapshot = tmp_path / "snap.json"
    snapshot.write_text('{"kind": "bcdr-scan/snapshot", "version": 99, "collected_at": "x", "resources": []}')
    output = tmp_path / "report.json"
    output.write_text("previous report")
    code, _, err = run(capsys, "scan", "--snapshot", str(snapshot), "--output", str(output))
    assert_one_line_error(code, err, str(snapshot), "version")
    assert output.read_text() == "previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json", "snap.json"]


def test_unknown_option_and_bad_choice_are_one_line(capsys):
    code, _, err = run(capsys, "scan", "--sample", "--colour")
    assert_one_line_error(code, err, "--colour")
    code, _, err = run(capsys, "scan", "--sample", "--fail-on", "severe")
    assert_one_line_error(code, err, "--fail-on")


def test_output_is_written_whole(capsys, tmp_path: Path):
    output = tmp_path / "report.json"
    code, out, _ = run(capsys, "scan", "--sample", "--format", "json", "--output", str(output))
    assert code == 0 and out == ""
    assert json.loads(output.read_text())["findings"]
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary file left behind


def test_unwritable_output_is_an_input_error(capsys, tmp_path: Path):
    code, _, err = run(capsys, "scan", "--sample", "--output", str(tmp_path / "missing-dir" / "r.json"))
    assert_one_line_error(code, err, "cannot write report")


def test_checks_list_and_show(capsys):
    code, out, _ = run(capsys, "checks", "list")
    assert code == 0 and "STG-001" in out
    code, out, _ = run(capsys, "checks", "show", "stg-001")
    assert code == 0
    for section in ("## Why it matters", "## Logic per landing-zone strategy", "## Remediation", "az storage"):
        assert section in out
    code, _, err = run(capsys, "checks", "show", "NOPE-1")
    assert_one_line_error(code, err, "NOPE-1")
