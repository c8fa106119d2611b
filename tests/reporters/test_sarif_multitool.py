"""Microsoft's SARIF Multitool with GitHub's ingestion rules (`--rule-kind "Gh;Sarif"`): zero errors.

CI installs it with `npm install --no-save @microsoft/sarif-multitool` (the Linux binary comes in
`node_modules/@microsoft/sarif-multitool-linux/`); BCDR_SCAN_SARIF_MULTITOOL may point elsewhere.
Without it the test is skipped, and says why (in CI, where .ci/run installs it, it fails instead).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.helpers import REPO
from tests.reporters.estate import account_id, snapshot, write_snapshot
from tests.reporters.run import bcdr, sarif, validate_sarif

DEFAULT = REPO / "node_modules" / "@microsoft" / "sarif-multitool-linux" / "Sarif.Multitool"


def multitool() -> Path:
    configured = os.environ.get("BCDR_SCAN_SARIF_MULTITOOL")
    path = Path(configured) if configured else DEFAULT
    if not path.exists():
        if os.environ.get("CI") == "true":
            # .ci/run installs it: in CI a missing Multitool is a broken pipeline, not a reason to skip.
            pytest.fail(f"SARIF Multitool missing at {path} in CI")
        pytest.skip(f"SARIF Multitool not installed at {path} (npm install --no-save @microsoft/sarif-multitool, "
                    "or set BCDR_SCAN_SARIF_MULTITOOL)")
    assert os.access(path, os.X_OK), f"{path} is not executable: chmod u+x it (npm skipped its install script)"
    return path


def validate_with_multitool(log: Path, tmp_path: Path) -> list[dict]:
    """The Multitool's findings at level error (what GitHub would reject or degrade)."""
    out = tmp_path / f"{log.stem}.validation.sarif"
    proc = subprocess.run([str(multitool()), "validate", str(log), "--rule-kind", "Gh;Sarif",
                           "-o", str(out), "--log", "ForceOverwrite"],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path,
                          env={**os.environ, "DOTNET_CLI_TELEMETRY_OPTOUT": "1"})
    assert out.exists(), f"Multitool wrote no output (exit {proc.returncode}): {proc.stdout}\n{proc.stderr}"
    validation = json.loads(out.read_text("utf-8-sig"))
    run = validation["runs"][0]
    failures = [n for inv in run.get("invocations", []) for n in inv.get("toolExecutionNotifications", [])
                if n.get("level") == "error"]
    assert not failures, f"the Multitool itself failed: {failures}"
    return [r for r in run.get("results", []) if r.get("level", "warning") == "error"]


def test_sample_estate_sarif_passes_githubs_ingestion_rules(tmp_path):
    multitool()
    run = bcdr("scan", "--sample", "--format", "sarif", "--output", tmp_path / "sample.sarif")
    assert run.code in (0, 1, 3), run.err
    log = tmp_path / "sample.sarif"
    validate_sarif(json.loads(log.read_text("utf-8")))
    errors = validate_with_multitool(log, tmp_path)
    assert errors == [], json.dumps(errors, indent=1)[:4000]


def test_sarif_with_suppressions_gaps_and_baseline_notices_passes_githubs_ingestion_rules(tmp_path):
    """The parts the sample may not exercise: suppressions, read errors, unknowns, stale and expired entries."""
    multitool()
    baseline = tmp_path / "accepted.yaml"
    baseline.write_text(
        "version: 1\naccepted_risks:\n"
        f"  - check: STG-001\n    resource: {account_id('stsalesexportweu')}\n"
        "    justification: Regenerated from the curated zone within the RTO.\n"
        "    owner: sales-data@contoso.com\n    expires: 2027-03-31\n"
        f"  - check: STG-001\n    resource: {account_id('stsalesrawweu')}\n"
        "    justification: Accepted before the account moved to RA-GZRS.\n"
        "    owner: sales-data@contoso.com\n    expires: 2027-03-31\n"
        f"  - check: STG-001\n    resource: {account_id('stdmlzauditweu')}\n"
        "    justification: Audit logs are also shipped to the SIEM.\n"
        "    owner: platform@contoso.com\n    expires: 2026-10-31\n", encoding="utf-8")
    estate = write_snapshot(tmp_path / "estate.json", snapshot())
    document = sarif(estate, "--baseline", baseline)
    notes = document["runs"][0]["invocations"][0]
    assert notes["toolExecutionNotifications"] and notes["toolConfigurationNotifications"]
    assert any("suppressions" in r for r in document["runs"][0]["results"])
    log = tmp_path / "estate.sarif"
    log.write_text(json.dumps(document), encoding="utf-8")
    errors = validate_with_multitool(log, tmp_path)
    assert errors == [], json.dumps(errors, indent=1)[:4000]


def test_hostile_estate_sarif_passes_githubs_ingestion_rules(tmp_path):
    """Escaped message texts (doubled braces, escaped brackets and backslashes) stay valid for GitHub."""
    from tests.reporters.test_hostile_text import hostile_estate

    multitool()
    estate, policy, baseline = hostile_estate(tmp_path)
    log = tmp_path / "hostile.sarif"
    run = bcdr("scan", "--snapshot", estate, "--policy", policy, "--baseline", baseline, "--format", "sarif",
               "--output", log)
    assert run.code in (0, 1, 3), run.err
    validate_sarif(json.loads(log.read_text("utf-8")))
    errors = validate_with_multitool(log, tmp_path)
    assert errors == [], json.dumps(errors, indent=1)[:4000]


def test_sarif_mapped_to_the_iac_fixture_passes_githubs_ingestion_rules(tmp_path):
    """Results located in Bicep, ARM JSON and Terraform files (relative to the repository root, %SRCROOT%)."""
    multitool()
    log = tmp_path / "mapped.sarif"
    run = bcdr("scan", "--sample", "--source-root", REPO / "fixtures" / "sample-iac", "--format", "sarif",
               "--output", log)
    assert run.code in (0, 1, 3), run.err
    document = json.loads(log.read_text("utf-8"))
    validate_sarif(document)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in document["runs"][0]["results"]}
    assert any(u.endswith(".bicep") for u in uris) and any(u.endswith(".tf") for u in uris)
    errors = validate_with_multitool(log, tmp_path)
    assert errors == [], json.dumps(errors, indent=1)[:4000]
