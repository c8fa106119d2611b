"""Tenant scale, end to end: the real CLI over HTTPS against the emulator, with the sample estate's
subscriptions placed in a nested management-group tree."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.conftest import SAMPLE_ESTATE, TOKEN, Run, bcdr_scan, live_env, live_scan, outcomes
from tests.emulator import Emulator, Estate, ManagementGroup

SUB1, SUB2, SUB3, SUB4 = (f"6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e0{n}" for n in range(1, 5))
# contoso -> platform (SUB1)
#         -> landing-zones -> dlz-prod (SUB2) -> dlz-research (SUB3)
#         -> sandbox (SUB4)
TREE = [ManagementGroup("contoso"), ManagementGroup("platform", "contoso", (SUB1,)),
        ManagementGroup("landing-zones", "contoso"), ManagementGroup("dlz-prod", "landing-zones", (SUB2,)),
        ManagementGroup("dlz-research", "dlz-prod", (SUB3,)), ManagementGroup("sandbox", "contoso", (SUB4,))]


@pytest.fixture
def tenant() -> Iterator[Emulator]:
    estate = Estate.load(SAMPLE_ESTATE)
    estate.management_groups = TREE
    with Emulator(estate, token=TOKEN) as emulator:
        yield emulator
    assert {r.method for r in emulator.requests} <= {"GET"}


def in_subscriptions(run: Run, subscriptions: set[str]) -> set[tuple[str, str, str]]:
    return {o for o in outcomes(run.report) if o[1].split("/")[2] in subscriptions}


def test_a_management_group_scans_every_subscription_below_it_at_any_depth(tenant: Emulator, offline: Run) -> None:
    live = live_scan(tenant, "--management-group", "landing-zones")
    assert live.code in (0, 3), live.stderr
    scopes = live.report["scan"]["scopes"]
    assert scopes["subscriptions"] == [SUB2, SUB3]
    assert scopes["management_groups"] == {"landing-zones": [SUB2, SUB3]}
    assert outcomes(live.report) == in_subscriptions(offline, {SUB2, SUB3})
    assert not [r for r in tenant.requests if SUB1 in r.path or SUB4 in r.path]
    # One list of the tenant's subscriptions, one list of what is below the group: no GET per subscription.
    assert not [r for r in tenant.requests if r.path.lower().rstrip("/") in (f"/subscriptions/{SUB2}",
                                                                             f"/subscriptions/{SUB3}")]


def test_management_groups_combine_with_named_and_excluded_subscriptions(tenant: Emulator, offline: Run) -> None:
    live = live_scan(tenant, "--management-group", "landing-zones", "--management-group", "sandbox",
                     "--subscription", SUB1, "--exclude-subscription", SUB2)
    assert live.code in (0, 3), live.stderr
    scopes = live.report["scan"]["scopes"]
    assert scopes["subscriptions"] == [SUB1, SUB3, SUB4]
    assert scopes["management_groups"] == {"landing-zones": [SUB2, SUB3], "sandbox": [SUB4]}
    assert outcomes(live.report) == in_subscriptions(offline, {SUB1, SUB3, SUB4})


def test_an_unknown_management_group_is_one_line_and_exit_code_2(tenant: Emulator) -> None:
    run = live_scan(tenant, "--management-group", "no-such-group")
    assert run.code == 2 and run.stdout == ""
    assert run.stderr.startswith("bcdr-scan: error: cannot list management group no-such-group: HTTP 404")
    assert run.stderr.count("\n") == 1


def test_a_management_group_id_that_could_reach_another_path_is_refused_before_any_request(
        tenant: Emulator) -> None:
    run = bcdr_scan("scan", "--arm-endpoint", tenant.url, "--management-group", "../../subscriptions",
                    env=live_env(tenant))
    assert run.code == 2 and "--management-group expects a management group id" in run.stderr
    assert tenant.requests == []
