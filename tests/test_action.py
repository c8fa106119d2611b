"""The composite GitHub Action (action.yml): its inputs reach bcdr-scan, its shell steps run here as
on a runner (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP), and its outputs are the report's counts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.helpers import REPO

ACTION = yaml.safe_load((REPO / "action.yml").read_text("utf-8"))
SCRIPTS = REPO / ".github-action"
SAMPLE = REPO / "fixtures" / "sample-estate"
POLICY = REPO / "fixtures" / "policies" / "sample-policy.yaml"


def step(name: str) -> dict:
    return next(s for s in ACTION["runs"]["steps"] if s.get("name") == name or s.get("id") == name)


def run_step(script: str, tmp_path: Path, **env: str) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    outputs = tmp_path / "output.txt"
    outputs.touch()
    bcdr = shutil.which("bcdr-scan") or str(Path(sys.executable).with_name("bcdr-scan"))
    done = subprocess.run(["bash", str(SCRIPTS / script)], capture_output=True, text=True, timeout=600, cwd=REPO,
                          env={**os.environ, "BCDR_SCAN": bcdr, "RUNNER_TEMP": str(tmp_path), "GITHUB_OUTPUT":
                               str(outputs), "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
                               "GITHUB_WORKSPACE": str(REPO), "ACTION_PATH": str(REPO), **env})
    values = dict(line.split("=", 1) for line in outputs.read_text("utf-8").splitlines() if "=" in line)
    return done, values


def test_the_action_is_composite_with_the_inputs_the_issue_names():
    assert ACTION["runs"]["using"] == "composite"
    assert {"policy", "scope", "management-group", "fail-on", "baseline", "category"} <= set(ACTION["inputs"])
    assert {"findings", "mapped", "ambiguous", "unmapped", "sarif-file"} <= set(ACTION["outputs"])
    upload = next(s for s in ACTION["runs"]["steps"] if s.get("uses", "").startswith("github/codeql-action/upload-"))
    assert upload["with"]["sarif_file"] == "${{ steps.scan.outputs.sarif-file }}"
    scan = step("scan")
    for name in ("policy", "scope", "management-group", "fail-on", "baseline", "category"):
        assert f"${{{{ inputs.{name} }}}}" in scan["env"].values(), name  # inputs pass as env, never spliced
    for s in ACTION["runs"]["steps"]:
        assert "${{ inputs." not in s.get("run", ""), s
    install = (SCRIPTS / "install.sh").read_text("utf-8")
    assert 'pip install --quiet --disable-pip-version-check "$ACTION_PATH"' in install


def test_the_scan_step_writes_sarif_the_job_summary_and_the_counts(tmp_path: Path):
    done, outputs = run_step("scan.sh", tmp_path, INPUT_SNAPSHOT=str(SAMPLE), INPUT_POLICY=str(POLICY),
                             INPUT_FAIL_ON="high", INPUT_CATEGORY="bcdr-scan/sample",
                             INPUT_SOURCE_ROOT=str(REPO / "fixtures" / "sample-iac"))
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "bcdr-scan" / "bcdr-scan.json").read_text("utf-8"))
    summary = report["summary"]
    assert outputs["findings"] == str(summary["findings"]) and outputs["exit-code"] == "1"
    assert outputs["high"] == str(summary["findings_by_severity"]["high"] + summary["findings_by_severity"]["critical"])
    assert [outputs[k] for k in ("mapped", "ambiguous", "unmapped")] == \
        [str(summary["source_map"][k]) for k in ("mapped", "ambiguous", "unmapped")]
    assert int(outputs["mapped"]) > 0 and outputs["coverage-complete"] == "true"
    sarif = json.loads(Path(outputs["sarif-file"]).read_text("utf-8"))
    assert sarif["runs"][0]["automationDetails"]["id"] == "bcdr-scan/sample/"
    assert outputs["category"] == "bcdr-scan/sample"
    assert "## bcdr-scan: BCDR compliance by landing zone" in (tmp_path / "summary.md").read_text("utf-8")


def test_the_gate_fails_on_findings_and_incomplete_coverage_after_the_upload(tmp_path: Path):
    for code, expected in (("0", 0), ("1", 1), ("3", 3), ("2", 2)):
        done, _ = run_step("gate.sh", tmp_path, EXIT_CODE=code)
        assert done.returncode == expected, (code, done.stdout)
    steps = [s.get("name") for s in ACTION["runs"]["steps"]]
    assert steps.index("Upload to code scanning") < steps.index("Gate")


def test_a_bad_input_is_the_scan_steps_failure(tmp_path: Path):
    done, outputs = run_step("scan.sh", tmp_path, INPUT_SNAPSHOT=str(SAMPLE), INPUT_POLICY=str(tmp_path / "none.yaml"))
    assert done.returncode == 2 and outputs["exit-code"] == "2" and "none.yaml" in done.stderr


def test_docs_use_the_action_with_inputs_it_has():
    from tests.test_github_workflow import workflows

    document = workflows()[2]
    job = next(iter(document["jobs"].values()))
    uses = next(s for s in job["steps"] if "bcdr-scan" in s.get("uses", "") and "checkout" not in s["uses"])
    assert set(uses["with"]) <= set(ACTION["inputs"]) and "fail-on" in uses["with"]
    assert job["permissions"]["security-events"] == "write" and job["permissions"]["id-token"] == "write"
