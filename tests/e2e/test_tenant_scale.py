"""Tenant scale, end to end: the real CLI over HTTPS against the emulator, with the sample estate's
subscriptions placed in a nested management-group tree."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import SAMPLE_ESTATE, SAMPLE_POLICY, TOKEN, Run, bcdr_scan, live_env, live_scan, outcomes
from tests.emulator import Emulator, Estate, Fault, Graph, ManagementGroup

SUB1, SUB2, SUB3, SUB4 = (f"6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e0{n}" for n in range(1, 5))
# contoso -> platform (SUB1)
#         -> landing-zones -> dlz-prod (SUB2) -> dlz-research (SUB3)
#         -> sandbox (SUB4)
TREE = [ManagementGroup("contoso"), ManagementGroup("platform", "contoso", (SUB1,)),
        ManagementGroup("landing-zones", "contoso"), ManagementGroup("dlz-prod", "landing-zones", (SUB2,)),
        ManagementGroup("dlz-research", "dlz-prod", (SUB3,)), ManagementGroup("sandbox", "contoso", (SUB4,))]


# A subscription with a resource group and nothing the scanner collects.
EMPTY = "6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e0f"
GRAPH_PATH = "/providers/Microsoft.ResourceGraph/resources"


def emulator(graph: Graph | None = None) -> Emulator:
    estate = Estate.load(SAMPLE_ESTATE)
    estate.management_groups = TREE
    estate.subscriptions.append({"id": f"/subscriptions/{EMPTY}", "subscriptionId": EMPTY, "state": "Enabled",
                                 "displayName": "sub-empty", "tenantId": estate.subscriptions[0].get("tenantId")})
    estate.resource_groups.append({"id": f"/subscriptions/{EMPTY}/resourceGroups/rg-empty", "name": "rg-empty",
                                   "type": "Microsoft.Resources/resourceGroups", "location": "westeurope",
                                   "properties": {"provisioningState": "Succeeded"}})
    return Emulator(estate, token=TOKEN, graph=graph)


@pytest.fixture
def tenant() -> Iterator[Emulator]:
    with emulator() as arm:
        yield arm
    only_reads(arm)


def only_reads(arm: Emulator) -> None:
    """Nothing reached the emulator but GETs and Resource Graph query POSTs."""
    assert all(r.method == "GET" or (r.method, r.path) == ("POST", GRAPH_PATH) for r in arm.requests)


def graph_queries(arm: Emulator) -> list[int]:
    return [r.status for r in arm.requests if r.method == "POST"]


def touching(arm: Emulator, sub: str) -> list[str]:
    return [r.path for r in arm.requests if sub in r.path.lower()]


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


def test_graph_and_arm_discovery_find_the_same_and_graph_never_reads_an_empty_subscription(
        tenant: Emulator, offline: Run) -> None:
    arm_run = live_scan(tenant, "--discovery", "arm")
    assert arm_run.code == offline.code, arm_run.stderr
    assert touching(tenant, EMPTY) and graph_queries(tenant) == []
    tenant.requests.clear()
    graph_run = live_scan(tenant, "--discovery", "graph")
    assert graph_run.code == offline.code, graph_run.stderr
    assert outcomes(graph_run.report) == outcomes(arm_run.report) == outcomes(offline.report)
    assert touching(tenant, EMPTY) == []
    assert graph_queries(tenant) == [200]
    discovery = graph_run.report["scan"]["scopes"]["discovery"]
    assert discovery["mode"] == "graph" and "eventually consistent" in discovery["consistency"]
    assert discovery["subscriptions_without_collected_resources"] == 1
    assert discovery["incomplete_batches_read_with_arm"] == []
    assert arm_run.report["scan"]["scopes"]["discovery"] == {"mode": "arm"}


@pytest.mark.parametrize("throttled", [False, True], ids=["quota spent", "429"])
def test_graph_pages_are_followed_and_its_quota_honoured(throttled: bool) -> None:
    # The emulator answers 429 to a query beyond its quota: a scan that did not wait for the quota
    # headers' reset time would meet one. With `throttled`, the first query gets a 429 anyway.
    with emulator(Graph(page_size=3, quota=2, window=1.0)) as arm:
        if throttled:
            arm.add_fault(Fault("^/providers/microsoft.resourcegraph/resources", 429, times=1,
                                headers={"x-ms-user-quota-remaining": "0", "x-ms-user-quota-resets-after": "00:00:01"}))
        run = live_scan(arm, "--discovery", "graph")
        only_reads(arm)
        statuses = graph_queries(arm)
    assert run.code in (0, 3), run.stderr
    assert statuses.count(429) == int(throttled)
    assert statuses.count(200) == run.report["scan"]["scopes"]["discovery"]["graph_pages"] > 2
    assert run.report["scan"]["scopes"]["discovery"]["incomplete_batches_read_with_arm"] == []
    assert run.report["coverage"]["read_errors"] == []
    assert touching(arm, EMPTY) == []


@pytest.mark.parametrize("graph, fault", [
    (Graph(page_size=3, truncate=True), None),
    (Graph(), Fault("^/providers/microsoft.resourcegraph/resources", 200, times=None, body={"data": {}})),
    (Graph(), Fault("^/providers/microsoft.resourcegraph/resources", 403, times=None)),
], ids=["truncated", "malformed", "forbidden"])
def test_an_incomplete_graph_answer_is_completed_with_arm_never_taken_for_no_resources(
        graph: Graph, fault: Fault | None, offline: Run) -> None:
    with emulator(graph) as arm:
        if fault:
            arm.add_fault(fault)
        run = live_scan(arm, "--discovery", "graph")
        only_reads(arm)
        assert touching(arm, EMPTY)  # read with ARM, as in an ARM discovery
    assert run.code == offline.code, run.stderr
    assert outcomes(run.report) == outcomes(offline.report)
    incomplete = run.report["scan"]["scopes"]["discovery"]["incomplete_batches_read_with_arm"]
    assert [b["subscriptions"] for b in incomplete] == [len(arm.estate.subscriptions)]
    assert any(word in incomplete[0]["error"] for word in ("truncated", "'data' array", "HTTP 403"))


def collect_shard(arm: Emulator, out: Path, *scope: str) -> None:
    run = bcdr_scan("collect", "-q", "--output", str(out), "--arm-endpoint", arm.url, *scope, env=live_env(arm))
    assert run.code == 0, run.stderr


def test_sharded_collections_merge_into_one_scan_that_loses_nothing(tenant: Emulator, offline: Run,
                                                                     tmp_path: Path) -> None:
    shards = tmp_path / "shards"
    shards.mkdir()
    collect_shard(tenant, shards / "platform.json.gz", "--management-group", "platform", "--management-group",
                  "sandbox")
    collect_shard(tenant, shards / "landing-zones.json.gz", "--management-group", "landing-zones")
    # Overlapping shards that agree are accepted: SUB1 again, read at the same time from the same estate.
    collect_shard(tenant, shards / "sub1-again.json.gz", "--subscription", SUB1)
    run = bcdr_scan("scan", "--snapshot", str(shards), "--policy", str(SAMPLE_POLICY), "--format", "json",
                    "--include-passed")
    assert run.code == offline.code, run.stderr
    assert outcomes(run.report) == outcomes(offline.report)
    coverage = {s["file"]: s for s in run.report["scan"]["scopes"]["shards"]}
    assert {f: s["subscriptions"] for f, s in coverage.items()} == {
        "landing-zones.json.gz": [SUB2, SUB3], "platform.json.gz": [SUB1, SUB4], "sub1-again.json.gz": [SUB1]}
    assert coverage["landing-zones.json.gz"]["management_groups"] == {"landing-zones": [SUB2, SUB3]}
    assert all(s["read_errors"] == [] for s in coverage.values())


def test_a_shards_read_errors_are_reported_with_that_shard(tenant: Emulator, tmp_path: Path) -> None:
    shards = tmp_path / "shards"
    shards.mkdir()
    collect_shard(tenant, shards / "a.json.gz", "--subscription", SUB1)
    tenant.add_fault(Fault(f"^/subscriptions/{SUB2}/providers/microsoft.keyvault/vaults\\?", 403, times=None))
    run = bcdr_scan("collect", "-q", "--output", str(shards / "b.json.gz"), "--arm-endpoint", tenant.url,
                    "--subscription", SUB2, env=live_env(tenant))
    assert run.code == 3, run.stderr  # collected, with a read error
    scan = bcdr_scan("scan", "--snapshot", str(shards), "--policy", str(SAMPLE_POLICY), "--format", "json")
    coverage = {s["file"]: s["read_errors"] for s in scan.report["scan"]["scopes"]["shards"]}
    assert coverage == {"a.json.gz": [], "b.json.gz": [{"scope": f"/subscriptions/{SUB2}",
                                                        "data": "Microsoft.KeyVault/vaults"}]}


def test_overlapping_shards_that_disagree_are_refused_naming_both_files_and_the_id(tenant: Emulator,
                                                                                    tmp_path: Path) -> None:
    shards = tmp_path / "shards"
    shards.mkdir()
    collect_shard(tenant, shards / "a.json.gz", "--subscription", SUB1)
    changed = next(d for d in tenant.estate.resources if d["id"].split("/")[2] == SUB1)
    changed.setdefault("tags", {})["changed"] = "between the two collections"
    collect_shard(tenant, shards / "b.json.gz", "--subscription", SUB1)
    run = bcdr_scan("scan", "--snapshot", str(shards), "--format", "json")
    assert run.code == 2 and run.stdout == ""
    assert run.stderr.count("\n") == 1
    assert str(shards / "b.json.gz") in run.stderr and str(shards / "a.json.gz") in run.stderr
    assert changed["id"] in run.stderr and "overlapping shards must hold the same document" in run.stderr
