"""Readiness in every report format, and the report schema's versioning rule for it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.reporters.run import bcdr, validate_sarif


@pytest.fixture(scope="module")
def reports() -> dict[str, str]:
    texts = {}
    for fmt in ("json", "sarif", "markdown", "table"):
        run = bcdr("scan", "--sample", "--format", fmt, env={"COLUMNS": "80"})
        assert run.code == 0, run.err
        texts[fmt] = run.out
    return texts


def test_sarif_run_properties_carry_the_json_reports_readiness(reports):
    sarif = json.loads(reports["sarif"])
    validate_sarif(sarif)
    assert sarif["runs"][0]["properties"]["readiness"] == json.loads(reports["json"])["readiness"]


def test_the_table_and_markdown_show_the_readiness_block_above_the_findings(reports):
    table, markdown = reports["table"], reports["markdown"]
    assert table.index("Recovery readiness") < table.index("dmlz · warm-spare · RPO 4h · RTO 8h")
    assert "  regional: RPO 4h, RTO 12h +3? · 0 meet, 4 miss, 1 unknown" in table  # dlz-research-clinical
    assert max(len(line) for line in table.splitlines()) <= 80
    assert markdown.index("### Recovery readiness") < markdown.index("### Findings")
    assert ("| dlz-research-clinical | regional outage | 30m / 1d | 4h — `cosmos-research-clinical` | "
            "12h +3? — `sqldb-consent-audit` | 0 | 4 | 1 |") in markdown


def _write(tmp_path: Path, name: str, document: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document), "utf-8")
    return path


def test_a_1_0_report_without_readiness_still_reads_but_a_1_1_report_must_carry_it(reports, tmp_path):
    current = json.loads(reports["json"])
    assert current["schema_version"] == "1.1"
    older = {k: v for k, v in current.items() if k != "readiness"} | {"schema_version": "1.0"}
    new = _write(tmp_path, "new.json", current)
    assert bcdr("diff", _write(tmp_path, "old.json", older), new, "--format", "json").code == 0
    broken = {k: v for k, v in current.items() if k != "readiness"}
    run = bcdr("diff", _write(tmp_path, "broken.json", broken), new)
    assert run.code == 2 and "'readiness' is a required property" in run.err
