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


def test_zone_redundancy_in_a_region_without_availability_zones_is_not_applicable_with_the_reason():
    """A deliberate departure from the text the reference was written from (issue 3: STG-002 fails and says
    so when the region has no availability zones): the project's rule "judge only what applies" makes a
    setting that cannot exist in the region not applicable, with the reason. A zone outage there is a
    region outage, which the geo-redundancy checks judge (stsalesgn is GRS: STG-001 judges and passes it)."""
    scan = evaluate(load_snapshot(HERE / "estate.json"), load_policy(HERE / "policy.yaml"),
                    discover(include_plugins=False))
    verdicts = {o.check.id: o for o in scan.outcomes if o.resource.name == "stsalesgn"}
    assert verdicts["STG-002"].status == Status.NOT_APPLICABLE
    assert "germanynorth has no availability zones" in verdicts["STG-002"].result.message
    assert verdicts["STG-001"].status == Status.PASS
