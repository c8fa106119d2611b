"""A reference estate written blind: its author read only the issue texts, the README and the
snapshot format, wrote the expected failures (with a reason each) and only then ran the scanner.
It guards the catalogue's verdicts against regressions on payloads this project did not design."""

import json
from pathlib import Path

from scanner.check import Status
from scanner.engine import evaluate
from scanner.policy import load_policy
from scanner.registry import discover
from scanner.snapshot import load_snapshot

HERE = Path(__file__).parent


def test_reference_estate_fails_exactly_where_the_issue_text_says():
    scan = evaluate(load_snapshot(HERE / "estate.json"), load_policy(HERE / "policy.yaml"),
                    discover(include_plugins=False))
    found = {(o.check.id, o.resource.key): str(o.severity) for o in scan.outcomes if o.status == Status.FAIL}
    expected = {(e["check"], e["resource_id"].lower()): e["severity"]
                for e in json.loads((HERE / "expected-findings.json").read_text("utf-8"))}
    assert sorted(set(found) - set(expected)) == [], "findings the issue text does not call for"
    assert sorted(set(expected) - set(found)) == [], "findings the issue text calls for that are missing"
    assert {k: v for k, v in found.items() if expected[k] != v} == {}, "severity differs"
