"""The command line as a user meets it: exit codes, one-line errors, atomic output."""

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scanner.cli import main
from tests.e2e.conftest import TOKEN, live_env
from tests.emulator import Emulator
from tests.helpers import REPO, SUB

SAMPLE_POLICY = REPO / "fixtures" / "policies" / "sample-policy.yaml"
SAMPLE_ESTATE = REPO / "fixtures" / "sample-estate"


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


def test_a_requirement_no_service_can_meet_exits_2_naming_zone_field_and_range(capsys, tmp_path: Path):
    policy = tmp_path / "lz.yaml"
    policy.write_text(f"zones:\n  - name: dlz-sales\n    strategy: redeploy\n    rpo: 1h\n    rto: 1h\n"
                      f"    match: {{subscriptions: [{SUB}]}}\n    requirements: {{min_soft_delete_days: 100000}}\n")
    output = tmp_path / "report.json"
    code, out, err = run(capsys, "scan", "--sample", "--policy", str(policy), "-o", str(output))
    assert_one_line_error(code, err, str(policy), "zones[0].requirements.min_soft_delete_days", "dlz-sales",
                          "1 to 365")
    assert out == "" and not output.exists()


def test_bad_snapshot_exits_2_and_leaves_existing_output_untouched(capsys, tmp_path: Path):
    snapshot = tmp_path / "snap.json"
    snapshot.write_text('{"kind": "bcdr-scan/snapshot", "version": 99, "collected_at": "x", "resources": []}')
    output = tmp_path / "report.json"
    output.write_text("previous report")
    code, _, err = run(capsys, "scan", "--snapshot", str(snapshot), "--output", str(output))
    assert_one_line_error(code, err, str(snapshot), "version")
    assert output.read_text() == "previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json", "snap.json"]


def test_one_id_twice_with_different_content_exits_2_naming_the_file_and_the_id(capsys, tmp_path: Path):
    account = {"id": f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1",
               "type": "Microsoft.Storage/storageAccounts", "location": "westeurope", "sku": {"name": "Standard_LRS"}}
    renamed = {**account, "id": account["id"].upper().replace("/SUBSCRIPTIONS/", "/subscriptions/"),
               "sku": {"name": "Standard_GRS"}}
    snapshot = tmp_path / "export.json"
    snapshot.write_text(json.dumps({"value": [account, renamed]}))
    output = tmp_path / "report.json"
    code, out, err = run(capsys, "scan", "--snapshot", str(snapshot), "-o", str(output))
    assert_one_line_error(code, err, str(snapshot), renamed["id"], "given twice with different content")
    assert out == "" and not output.exists()


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


def test_output_in_a_missing_directory_is_an_input_error(capsys, tmp_path: Path):
    code, _, err = run(capsys, "scan", "--sample", "--output", str(tmp_path / "missing-dir" / "r.json"))
    assert_one_line_error(code, err, "--output", "missing-dir does not exist")


@pytest.mark.parametrize("name", ["", " "])
def test_an_empty_output_name_is_refused_not_taken_for_the_working_directory(capsys, name):
    code, _, err = run(capsys, "scan", "--sample", "--output", name)
    assert_one_line_error(code, err, "--output: an empty file name")


def test_unwritable_output_is_an_input_error(capsys, tmp_path: Path, mocker):
    mocker.patch("scanner.atomic.os.replace", side_effect=PermissionError(13, "Permission denied"))
    code, _, err = run(capsys, "scan", "--sample", "--output", str(tmp_path / "r.json"))
    assert_one_line_error(code, err, "cannot write report (Permission denied)")
    assert list(tmp_path.iterdir()) == []


def test_checks_list_and_show(capsys):
    code, out, _ = run(capsys, "checks", "list")
    assert code == 0 and "STG-001" in out
    code, out, _ = run(capsys, "checks", "show", "stg-001")
    assert code == 0
    for section in ("## Why it matters", "## Logic per landing-zone strategy", "## Remediation", "az storage"):
        assert section in out
    code, _, err = run(capsys, "checks", "show", "NOPE-1")
    assert_one_line_error(code, err, "NOPE-1")


def test_checks_list_lines_its_titles_up_whatever_the_longest_id_and_service(capsys):
    code, out, _ = run(capsys, "checks", "list")
    titles = {line.split()[0]: line for line in out.splitlines()}
    starts = {line.index(title) for line, title in ((titles["SQLMI-001"], "SQL managed instance has no failover"),
                                                    (titles["ML-001"], "Machine Learning workspace stores"),
                                                    (titles["STG-001"], "Storage account keeps no copy"))}
    assert code == 0 and len(starts) == 1


def test_format_names_are_case_insensitive_like_fail_on(capsys):
    code, out, _ = run(capsys, "scan", "--sample", "--check", "STG-001", "--format", "JSON")
    assert code == 0 and json.loads(out)["kind"] == "bcdr-scan/report"
    code, out, _ = run(capsys, "checks", "list", "--format", "Json")
    assert code == 0 and json.loads(out)[0]["id"]


# --- output destinations (README "Reports", docs/reports.md) -----------------------------------------

def sample_report(capsys, *argv: str) -> tuple[int, str, str]:
    return run(capsys, "scan", "--sample", "--check", "STG-001", *argv)


def test_dash_is_standard_output_and_creates_no_file(capsys, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = sample_report(capsys, "--format", "json", "-o", "-")
    assert code == 0 and json.loads(out)["scan"]["checks"] == ["STG-001"]
    assert list(tmp_path.iterdir()) == []


def test_dev_stdout_is_standard_output_and_stays_a_link():
    # A real process whose stdout is a pipe: /dev/stdout resolves to that pipe.
    done = subprocess.run([sys.executable, "-m", "scanner", "scan", "--sample", "--check", "STG-001",
                           "--format", "json", "-o", "/dev/stdout"], capture_output=True, text=True, cwd=REPO,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["scan"]["checks"] == ["STG-001"]
    assert os.path.islink("/dev/stdout")


def test_the_file_stdout_is_redirected_to_counts_as_standard_output(tmp_path: Path):
    redirected = tmp_path / "out.json"
    with redirected.open("w") as stdout:
        inode = os.fstat(stdout.fileno()).st_ino
        done = subprocess.run([sys.executable, "-m", "scanner", "scan", "--sample", "--check", "STG-001",
                               "-o", str(redirected)], stdout=stdout, stderr=subprocess.PIPE, text=True, cwd=REPO,
                              timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(redirected.read_text())["scan"]["checks"] == ["STG-001"]
    assert redirected.stat().st_ino == inode  # written through stdout, not replaced behind its back
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_a_symlink_is_written_through_to_its_target_and_stays_a_link(capsys, tmp_path: Path):
    reports = tmp_path / "reports"
    reports.mkdir()
    target = reports / "nightly.json"
    target.write_text("old report")
    target.chmod(0o640)
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    code, _, _ = sample_report(capsys, "-o", str(link))
    assert code == 0
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert json.loads(target.read_text())["scan"]["checks"] == ["STG-001"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in reports.iterdir()) == ["nightly.json"]


def test_a_dangling_symlink_creates_its_target(capsys, tmp_path: Path):
    link = tmp_path / "latest.json"
    link.symlink_to(tmp_path / "new.json")
    assert sample_report(capsys, "-o", str(link))[0] == 0
    assert link.is_symlink() and json.loads((tmp_path / "new.json").read_text())["findings"]


def test_a_symlink_loop_is_refused(capsys, tmp_path: Path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    code, _, err = sample_report(capsys, "-o", str(tmp_path / "a"))
    assert_one_line_error(code, err, "--output", "symlink loop")


@pytest.fixture
def char_device(tmp_path: Path) -> Path:
    """A character device like /dev/null, made where a broken rule cannot harm the machine's own."""
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot create a device node here ({exc})")
    return node


def test_a_character_device_is_refused_and_left_alone(capsys, char_device: Path):
    code, _, err = sample_report(capsys, "-o", str(char_device))
    assert_one_line_error(code, err, "--output", "is a character device", "use - for standard output")
    assert stat.S_ISCHR(char_device.stat().st_mode)


def test_a_fifo_and_a_directory_are_refused(capsys, tmp_path: Path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    code, _, err = sample_report(capsys, "-o", str(fifo))
    assert_one_line_error(code, err, "is a named pipe (FIFO)")
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    code, _, err = sample_report(capsys, "-o", str(tmp_path))
    assert_one_line_error(code, err, "is a directory")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_dev_null_is_accepted_only_when_it_is_standard_output():
    command = [sys.executable, "-m", "scanner", "scan", "--sample", "--check", "STG-001", "-o", "/dev/null"]
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=REPO,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=300)
    assert done.returncode == 2 and "/dev/null is a character device" in done.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_the_output_may_not_be_an_input(capsys, tmp_path: Path):
    snapshot = tmp_path / "estate.json"
    shutil.copy(REPO / "fixtures" / "sample-estate" / "10-storage.json", snapshot)
    before = snapshot.read_text()
    code, _, err = run(capsys, "scan", "--snapshot", str(snapshot), "-o", str(snapshot))
    assert_one_line_error(code, err, "--output", "is the --snapshot file this run reads")
    hard_link = tmp_path / "same.json"
    os.link(snapshot, hard_link)
    code, _, err = run(capsys, "scan", "--snapshot", str(snapshot), "-o", str(hard_link))
    assert_one_line_error(code, err, "is the --snapshot file")
    policy = tmp_path / "lz.yaml"
    shutil.copy(SAMPLE_POLICY, policy)
    code, _, err = run(capsys, "scan", "--snapshot", str(snapshot), "--policy", str(policy), "-o", str(policy))
    assert_one_line_error(code, err, "is the --policy file")
    assert snapshot.read_text() == before and policy.read_text() == SAMPLE_POLICY.read_text()


def test_the_output_may_not_go_into_the_snapshot_directory(capsys):
    estate = REPO / "fixtures" / "sample-estate"
    code, _, err = run(capsys, "scan", "--snapshot", str(estate), "-o", str(estate / "report.json"))
    assert_one_line_error(code, err, "is in the --snapshot directory")
    code, _, err = run(capsys, "scan", "--sample", "-o", str(estate / "00-estate.json"))
    assert_one_line_error(code, err, "is in the --sample directory")
    assert not (estate / "report.json").exists()


def test_a_baseline_and_diff_inputs_are_inputs_too(capsys, tmp_path: Path):
    baseline = tmp_path / "risks.yaml"
    baseline.write_text("version: 1\naccepted_risks: []\n")
    code, _, err = run(capsys, "scan", "--sample", "--baseline", str(baseline), "-o", str(baseline))
    assert_one_line_error(code, err, "is the --baseline file")
    report = tmp_path / "old.json"
    assert sample_report(capsys, "-o", str(report))[0] == 0
    code, _, err = run(capsys, "diff", str(report), str(report), "-o", str(report))
    assert_one_line_error(code, err, "is the OLD.json file")


def test_a_new_file_honours_the_umask_and_a_replaced_file_keeps_its_mode(capsys, tmp_path: Path):
    previous = os.umask(0o027)
    try:
        assert sample_report(capsys, "-o", str(tmp_path / "new.json"))[0] == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o640
    shared = tmp_path / "shared.json"
    shared.write_text("old")
    shared.chmod(0o644)
    previous = os.umask(0o077)
    try:
        assert sample_report(capsys, "-o", str(shared))[0] == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o644 and shared.read_text() != "old"


@pytest.mark.parametrize(("name", "expected"), [
    ("r.json", "json"), ("r.sarif", "sarif"), ("r.sarif.json", "sarif"), ("R.SARIF", "sarif"), ("r.md", "markdown"),
    ("r.markdown", "markdown"), ("r.txt", "table"), ("r.html", "html"), ("R.HTM", "html"), ("r.out", "json"),
])
def test_format_defaults_from_the_output_extension(capsys, tmp_path: Path, name, expected):
    assert sample_report(capsys, "-o", str(tmp_path / name))[0] == 0
    text = (tmp_path / name).read_text()
    detected = ("sarif" if text.startswith('{\n  "$schema"') else "json" if text.startswith("{")
                else "markdown" if text.startswith("## ") else "html" if text.startswith("<!DOCTYPE html>")
                else "table")
    assert detected == expected
    if expected == "table":
        assert "\x1b[" not in text


def test_an_explicit_format_wins_over_the_extension(capsys, tmp_path: Path):
    assert sample_report(capsys, "--format", "json", "-o", str(tmp_path / "r.md"))[0] == 0
    assert json.loads((tmp_path / "r.md").read_text())["findings"]


def test_diff_refuses_an_extension_it_cannot_write_unless_the_format_is_given(capsys, tmp_path: Path):
    report = tmp_path / "r.json"
    assert sample_report(capsys, "-o", str(report))[0] == 0
    code, _, err = run(capsys, "diff", str(report), str(report), "-o", str(tmp_path / "d.sarif"))
    assert_one_line_error(code, err, "--output", "d.sarif names a sarif file")
    code, _, _ = run(capsys, "diff", str(report), str(report), "-o", str(tmp_path / "d.sarif"), "--format", "json")
    assert code == 0 and json.loads((tmp_path / "d.sarif").read_text())["kind"] == "bcdr-scan/diff"
    assert run(capsys, "diff", str(report), str(report), "-o", str(tmp_path / "d.md"))[0] == 0
    assert (tmp_path / "d.md").read_text().startswith("## ")


# --- options that contradict each other, --fail-on, notices ------------------------------------------

@pytest.mark.parametrize(("argv", "words"), [
    (["--check", "STG-001", "--skip-check", "STG-001"], ["--skip-check", "skips every check selected"]),
    (["--check", "STG-*", "--skip-check", "stg-*"], ["--skip-check", "skips every check selected"]),
    (["--check", "XYZ-*"], ["--check", "no check id matches 'XYZ-*'"]),
    (["--format", "json", "--sarif-category", "bcdr-scan/sales"], ["--sarif-category", "this report is json"]),
    (["--format", "sarif", "--sarif-category", "/"], ["--sarif-category", "non-empty category"]),
    (["--format", "sarif", "--include-passed"], ["--include-passed", "this report is sarif"]),
    (["--snapshot", str(SAMPLE_ESTATE)], ["--sample and --snapshot"]),
    (["--subscription", "00000000-0000-0000-0000-000000000001"], ["--subscription applies only to a live scan"]),
])
def test_contradicting_options_are_refused(capsys, argv, words):
    code, _, err = run(capsys, "scan", "--sample", *argv)
    assert_one_line_error(code, err, *words)


def test_sarif_category_is_accepted_when_the_extension_makes_the_report_sarif(capsys, tmp_path: Path):
    code, _, _ = run(capsys, "scan", "--sample", "--sarif-category", "bcdr-scan/sales", "-o", str(tmp_path / "r.sarif"))
    assert code == 0
    assert json.loads((tmp_path / "r.sarif").read_text())["runs"][0]["automationDetails"]["id"] == "bcdr-scan/sales/"


def test_fail_on_is_case_insensitive_and_says_why_it_failed(capsys):
    code, out, err = run(capsys, "scan", "--sample", "--format", "json", "--fail-on", "HIGH")
    findings = json.loads(out)["findings"]
    high = sum(f["severity"] == "high" for f in findings)
    critical = sum(f["severity"] == "critical" for f in findings)
    assert code == 1 and high > 0
    by_severity = ", ".join(f"{n} {s}" for s, n in (("critical", critical), ("high", high)) if n)
    assert err == f"bcdr-scan: failing: {high + critical} findings at or above high ({by_severity})\n"


def test_fail_on_names_every_severity_it_counts(capsys):
    code, out, err = run(capsys, "scan", "--sample", "--format", "json", "--fail-on", "Low")
    counts = {}
    for finding in json.loads(out)["findings"]:
        counts[finding["severity"]] = counts.get(finding["severity"], 0) + 1
    order = ["critical", "high", "medium", "low"]
    by_severity = ", ".join(f"{counts[s]} {s}" for s in order if s in counts)
    assert code == 1 and len(counts) >= 3
    assert err == f"bcdr-scan: failing: {sum(counts.values())} findings at or above low ({by_severity})\n"


def test_a_passing_gate_says_nothing(capsys):
    code, _, err = run(capsys, "scan", "--sample", "--check", "STG-001", "--fail-on", "critical")
    assert code == 0 and err == ""


def test_diff_says_how_many_new_findings_fail_it(capsys, tmp_path: Path):
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    assert run(capsys, "scan", "--sample", "--check", "STG-002", "-o", str(old))[0] == 0
    assert run(capsys, "scan", "--sample", "--check", "STG-00[12]", "-o", str(new))[0] == 0
    added = len(json.loads(new.read_text())["findings"]) - len(json.loads(old.read_text())["findings"])
    code, _, err = run(capsys, "diff", str(old), str(new), "--format", "json", "--fail-on", "high")
    noun = "new finding" if added == 1 else "new findings"
    assert code == 1 and err == f"bcdr-scan: failing: {added} {noun} at or above high ({added} high)\n"


def test_a_scan_without_policy_says_the_default_zone_judged_everything(capsys):
    code, out, err = run(capsys, "scan", "--snapshot", str(SAMPLE_ESTATE), "--format", "json")
    assert code in (0, 3)
    assert err == ("bcdr-scan: notice: no --policy given: every resource was judged in the built-in default zone "
                   "(backup-restore, RPO 24h, RTO 24h)\n")
    assert {z["name"] for z in json.loads(out)["zones"]} == {"default"}
    _, _, err = run(capsys, "scan", "--snapshot", str(SAMPLE_ESTATE), "--policy", str(SAMPLE_POLICY))
    assert "notice" not in err


def test_bare_command_prints_help_and_exits_0(capsys):
    code, out, err = run(capsys)
    assert code == 0 and err == ""
    assert out.startswith("Usage: bcdr-scan") and "  scan " in out


# --- crashes: every bad value is exit 2, every bug exit 4, never a traceback with exit 1 -------------

@pytest.mark.parametrize(("policy", "field"), [
    ("rpo: 99999999999d", "zones[0].rpo: expected a duration of at most 100 years"),
    ("rpo: 99999999999999999999d", "zones[0].rpo: expected a duration of at most 100 years"),
    ("rpo: 15m\n    rpo: 30m", "line 6: duplicate key 'rpo' (first given on line 5)"),
    ("rpo: 15m\n    primary_region: westeuropa", "zones[0].primary_region: unknown region 'westeuropa'; did you mean"),
])
def test_absurd_policy_values_are_input_errors(capsys, tmp_path: Path, policy, field):
    path = tmp_path / "lz.yaml"
    path.write_text(f"zones:\n  - name: a\n    strategy: redeploy\n    rto: 1h\n    {policy}\n"
                    "    match: {subscriptions: [00000000-0000-0000-0000-000000000001]}\n")
    code, _, err = run(capsys, "scan", "--sample", "--policy", str(path))
    assert_one_line_error(code, err, f"{path}: {field}")


def test_a_spare_zone_without_secondary_region_is_an_input_error_not_a_coverage_gap(capsys, tmp_path: Path):
    path = tmp_path / "lz.yaml"
    path.write_text("zones:\n  - name: dlz-sales\n    strategy: hot-spare\n    rpo: 15m\n    rto: 1h\n"
                    "    primary_region: westeurope\n    match: {tags: {landing-zone: dlz-sales}}\n")
    code, _, err = run(capsys, "scan", "--sample", "--policy", str(path))
    assert_one_line_error(code, err, "zones[0].secondary_region: missing; zone 'dlz-sales' is hot-spare")


def test_tag_values_that_look_like_dates_or_numbers_are_text(capsys, tmp_path: Path):
    path = tmp_path / "lz.yaml"
    path.write_text("zones:\n  - name: typed\n    strategy: redeploy\n    rpo: 1d\n    rto: 1d\n"
                    "    match: {tags: {created: 2027-02-30, cost-center: 1234, critical: true}}\n")
    code, _, err = run(capsys, "scan", "--sample", "--policy", str(path), "--format", "json")
    assert code in (0, 3) and "Traceback" not in err


def test_an_internal_error_is_one_line_with_exit_code_4(capsys, mocker):
    mocker.patch("scanner.cli.evaluate", side_effect=RuntimeError("boom\x1b[31m\nsecond line"))
    code, _, err = run(capsys, "scan", "--sample")
    assert code == 4
    assert err == ("bcdr-scan: internal error: RuntimeError: boom\\x1b[31m\\nsecond line "
                   "(run again with -vv for the traceback)\n")


@pytest.mark.parametrize(("argv", "env"), [(["-vv", "scan", "--sample"], {}), (["scan", "--sample", "-v", "-v"], {}),
                                           (["scan", "--sample"], {"BCDR_SCAN_DEBUG": "1"})])
def test_vv_or_the_debug_variable_adds_the_traceback(capsys, mocker, monkeypatch, argv, env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    mocker.patch("scanner.cli.evaluate", side_effect=RuntimeError("boom"))
    code, _, err = run(capsys, *argv)
    assert code == 4
    assert err.startswith("Traceback (most recent call last):") and 'in scan' in err
    assert err.splitlines()[-1] == "bcdr-scan: internal error: RuntimeError: boom"


def test_keyboard_interrupt_is_exit_130_without_a_traceback(capsys, mocker, tmp_path: Path):
    mocker.patch("scanner.cli.evaluate", side_effect=KeyboardInterrupt)
    code, _, err = run(capsys, "scan", "--sample", "-o", str(tmp_path / "r.json"))
    assert code == 130 and err == "bcdr-scan: interrupted: SIGINT\n"
    assert list(tmp_path.iterdir()) == []


# --- signals: a real process, a real signal, in the middle of the atomic write -----------------------

# Runs the CLI with os.fsync (called once the temporary file is written, before it replaces the
# target) wrapped to announce the write through a marker file and then wait to be signalled.
# SIGINT's handler is set explicitly: a child started from a non-interactive shell may inherit
# "ignore SIGINT", and Python would then keep ignoring it.
PAUSED_WRITER = """
import os, signal, sys, time
from pathlib import Path

signal.signal(signal.SIGINT, signal.default_int_handler)
marker, real_fsync = Path(sys.argv[1]), os.fsync

def paused_fsync(fd):
    real_fsync(fd)
    marker.write_text("writing")
    time.sleep(300)

os.fsync = paused_fsync
from scanner.cli import main
main(sys.argv[2:])
"""


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_during_the_write_leaves_no_temporary_file_and_the_old_report(tmp_path: Path, signum, code):
    reports = tmp_path / "reports"
    reports.mkdir()
    report = reports / "report.json"
    report.write_text("previous report")
    marker = tmp_path / "writing"
    child = subprocess.Popen([sys.executable, "-c", PAUSED_WRITER, str(marker), "scan", "--sample", "-o", str(report)],
                             cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 240  # generous: the machine may be busy; nothing here races a clock
        while not marker.exists():
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the write never started"
            time.sleep(0.05)
        assert any(p.name.endswith(".tmp") for p in reports.iterdir())  # the write is really under way
        child.send_signal(signum)
        out, err = child.communicate(timeout=120)
    finally:
        child.kill()
    assert child.returncode == code, err
    assert err == f"bcdr-scan: interrupted: {signal.Signals(signum).name}\n" and out == ""
    assert [p.name for p in reports.iterdir()] == ["report.json"]
    assert report.read_text() == "previous report"


# SIGINT once the command is over, while the interpreter shuts down (the last atexit hook here):
# nothing is left to clean up, and nothing catches a KeyboardInterrupt there.
SIGINT_AT_EXIT = """
import atexit, os, signal, sys, time

signal.signal(signal.SIGINT, signal.default_int_handler)
atexit.register(lambda: (os.kill(os.getpid(), signal.SIGINT), time.sleep(5)))
sys.argv[0] = "bcdr-scan"
from scanner.cli import main
main()
"""


def test_a_sigint_as_the_process_exits_ends_it_without_a_traceback(tmp_path: Path):
    report = tmp_path / "report.json"
    done = subprocess.run([sys.executable, "-c", SIGINT_AT_EXIT, "scan", "--sample", "-o", str(report)], cwd=REPO,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == -signal.SIGINT
    assert "Traceback" not in done.stderr and "KeyboardInterrupt" not in done.stderr
    assert json.loads(report.read_text())["kind"] == "bcdr-scan/report"


# The process ends without tearing the interpreter down (scanner.cli._end_process): what an ordinary
# exit would still do for others is done first. An exit handler writes a line; a non-daemon thread still
# running (an embedding program's) is waited for, as an ordinary exit waits for it.
EXIT_DUTIES = """
import atexit, sys, threading, time
from pathlib import Path

marker = Path(sys.argv.pop(1))
atexit.register(lambda: marker.open("a").write("exit handler\\n"))
if sys.argv.pop(1) == "thread":
    threading.Thread(target=lambda: (time.sleep(1), marker.open("a").write("thread\\n"))).start()
sys.argv[0] = "bcdr-scan"
from scanner.cli import main
main()
"""


@pytest.mark.parametrize("thread", ["none", "thread"])
def test_the_process_ends_after_its_exit_handlers_and_threads_with_the_scans_code(tmp_path: Path, thread):
    marker, report = tmp_path / "marker.txt", tmp_path / "report.json"
    done = subprocess.run([sys.executable, "-c", EXIT_DUTIES, str(marker), thread, "scan", "--sample",
                           "--fail-on", "high", "-o", str(report)], cwd=REPO, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 1, done.stderr  # the sample has high findings: --fail-on high exits 1
    assert json.loads(report.read_text())["kind"] == "bcdr-scan/report"
    expected = {"none": ["exit handler"], "thread": ["thread", "exit handler"]}[thread]
    assert marker.read_text().splitlines() == expected


def test_a_reader_that_goes_away_ends_the_run_quietly_with_141():
    child = subprocess.Popen([sys.executable, "-m", "scanner", "scan", "--sample", "--format", "json"], cwd=REPO,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        child.stdout.close()  # like `| true`: the report (100 kB, more than a pipe holds) has nowhere to go
        err = child.stderr.read()
        child.wait(timeout=120)
    finally:
        child.kill()
    assert child.returncode == 141 and err == b""


def test_collect_follows_the_same_output_rules_and_refuses_before_reading_azure(tmp_path: Path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with Emulator(SAMPLE_ESTATE, token=TOKEN) as arm:
        command = [sys.executable, "-m", "scanner", "collect", "--arm-endpoint", arm.url, "-o"]
        env = {**os.environ, **live_env(arm)}
        refused = subprocess.run([*command, str(fifo)], capture_output=True, text=True, cwd=REPO, env=env, timeout=300)
        assert refused.returncode == 2 and "is a named pipe (FIFO)" in refused.stderr
        assert arm.requests == []  # refused before anything was read
        done = subprocess.run([*command, "-"], capture_output=True, text=True, cwd=REPO, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    snapshot = json.loads(done.stdout)
    assert snapshot["kind"] == "bcdr-scan/snapshot" and len(snapshot["resources"]) == len(arm.estate.resources)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]
