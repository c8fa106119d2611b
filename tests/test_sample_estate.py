"""The bundled sample estate exercises the whole catalogue: every check fails somewhere and passes somewhere."""

from collections import defaultdict

import pytest

from scanner.check import Status
from scanner.cli import sample_estate
from scanner.engine import evaluate
from scanner.policy import load_policy
from scanner.registry import discover
from scanner.snapshot import load_snapshot


@pytest.fixture(scope="module")
def scan():
    estate, policy = sample_estate()
    return evaluate(load_snapshot(estate), load_policy(policy), discover(include_plugins=False))


def test_every_check_fails_and_passes_at_least_once(scan):
    seen = defaultdict(set)
    for outcome in scan.outcomes:
        seen[outcome.check.id].add(outcome.status)
    for check in scan.checks:
        assert Status.FAIL in seen[check.id], f"{check.id} never fails on the sample estate"
        assert Status.PASS in seen[check.id], f"{check.id} never passes on the sample estate"


def test_sample_estate_is_fully_readable(scan):
    unknown = [(o.check.id, o.resource.name, o.result.message) for o in scan.outcomes if o.status == Status.UNKNOWN]
    assert not unknown
    assert scan.coverage_complete


def test_every_zone_of_the_sample_policy_holds_resources(scan):
    zones = {zone.name for zone in scan.zone_of.values()}
    assert {"dmlz", "dlz-sales", "dlz-research", "dlz-research-sandbox"} <= zones
