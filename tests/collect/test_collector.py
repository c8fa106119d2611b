"""The live collector against the emulator serving the sample estate: what it reads, exactly as
served, and what it records when it cannot read."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from scanner.collect.collector import CollectionError, Scope
from scanner.collect.collectors import SQL_INSTANCE_FAILOVER_GROUPS, TYPES, ChildSpec, EnrichSpec
from scanner.model import Inventory
from scanner.snapshot import load_snapshot, save_snapshot
from tests.collect.conftest import collect, collector
from tests.emulator import Emulator, Fault

SUB1 = "6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e01"
SUB2 = "6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e02"
SUB3 = "6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e03"


def by_id(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {d["id"].lower(): d for d in docs}


def served_resources(arm: Emulator, subscriptions: set[str] | None = None) -> dict[str, dict[str, Any]]:
    docs = by_id(arm.estate.resources)
    return {k: v for k, v in docs.items() if subscriptions is None or k.split("/")[2] in subscriptions}


def test_every_document_is_kept_exactly_as_arm_served_it(arm: Emulator) -> None:
    inventory = collect(arm)
    assert {r.key: dict(r.raw) for r in inventory.resources} == served_resources(arm)
    assert by_id(inventory.resource_groups) == by_id(arm.estate.resource_groups)
    assert by_id(inventory.locks) == by_id(arm.estate.locks)
    assert by_id(inventory.subscriptions) == by_id(arm.estate.subscriptions)
    assert {loc["name"] for loc in inventory.locations} == {loc["name"] for loc in arm.estate.locations}
    assert inventory.gaps == []


def test_the_snapshot_of_a_live_collection_round_trips(arm: Emulator, tmp_path: Any) -> None:
    inventory = collect(arm)
    save_snapshot(inventory, tmp_path / "estate.json.gz")
    again = load_snapshot(tmp_path / "estate.json.gz")
    assert [dict(r.raw) for r in again.resources] == [dict(r.raw) for r in inventory.resources]
    assert again.collected_at == inventory.collected_at
    assert again.source["mode"] == "live" and again.source["arm_endpoint"] == arm.url


def test_geo_replication_stats_are_asked_for_only_on_geo_replicated_accounts(arm: Emulator) -> None:
    collect(arm)
    expanded = {r.path.lower() for r in arm.requests if "expand=georeplicationstats" in r.query.lower()}
    geo = {k for k, d in served_resources(arm).items() if d.get("type") == "Microsoft.Storage/storageAccounts"
           and any(s in d["sku"]["name"] for s in ("GRS", "GZRS"))}
    assert expanded == geo and geo


def test_every_list_is_one_call_per_type_per_subscription_not_per_group(arm: Emulator) -> None:
    collect(arm)
    for spec in TYPES:
        if spec is SQL_INSTANCE_FAILOVER_GROUPS:  # listed per resource group and region, below
            continue
        # Later pages carry the skip token ($skiptoken, or %24skiptoken in a nextLink used as sent).
        calls = [r for r in arm.requests if r.path.lower().endswith(f"/providers/{spec.type.lower()}")
                 and "skiptoken" not in r.query.lower()]
        assert sorted(r.path.split("/")[2] for r in calls) == sorted(arm.index.subscriptions), spec.type


def test_instance_failover_groups_are_listed_once_per_group_and_region_holding_a_managed_instance(
        arm: Emulator) -> None:
    inventory = collect(arm)
    places = {f"{d['id'].split('/providers/')[0]}/providers/microsoft.sql/locations/{d['location']}".lower()
              for d in arm.estate.resources if d["type"] == "Microsoft.Sql/managedInstances"}
    calls = [r.path.lower() for r in arm.requests if r.path.lower().endswith("/instancefailovergroups")]
    assert places and sorted(calls) == sorted(f"{p}/instancefailovergroups" for p in places)
    group_type = "Microsoft.Sql/locations/instanceFailoverGroups"
    served = {k for k, d in served_resources(arm).items() if d["type"] == group_type}
    assert served and {r.key for r in inventory.of_type(group_type)} == served


def test_data_explorer_followers_are_read_on_the_follower_never_with_the_leader_side_post(arm: Emulator) -> None:
    collect(arm)
    clusters = [d for d in arm.estate.resources if d["type"].lower() == "microsoft.kusto/clusters"]
    assert clusters
    listed = {r.path.lower() for r in arm.requests if r.path.lower().endswith("/attacheddatabaseconfigurations")}
    assert listed == {f"{c['id'].lower()}/attacheddatabaseconfigurations" for c in clusters}
    assert not [r for r in arm.requests if "listfollowerdatabases" in r.path.lower()]


def test_the_table_reads_every_child_type_the_checks_rely_on() -> None:
    def walk(children: tuple[ChildSpec | EnrichSpec, ...]) -> list[str]:
        out: list[str] = []
        for child in children:
            out.append(child.type if isinstance(child, ChildSpec) else child.data)
            if isinstance(child, ChildSpec):
                out += walk(child.children)
        return out

    read = {t.type for t in TYPES} | {c for t in TYPES for c in walk(t.children)}
    assert read >= {
        "Microsoft.Storage/storageAccounts", "Microsoft.Storage/storageAccounts/blobServices",
        "Microsoft.Storage/storageAccounts/objectReplicationPolicies", "geoReplicationStats",
        "Microsoft.DocumentDB/databaseAccounts", "Microsoft.Sql/servers", "Microsoft.Sql/servers/databases",
        "Microsoft.Sql/servers/failoverGroups", "Microsoft.Sql/servers/databases/replicationLinks",
        "Microsoft.Sql/servers/databases/backupShortTermRetentionPolicies",
        "Microsoft.Sql/servers/databases/backupLongTermRetentionPolicies", "Microsoft.KeyVault/vaults",
        "Microsoft.DataFactory/factories", "Microsoft.Synapse/workspaces", "Microsoft.Synapse/workspaces/sqlPools",
        "Microsoft.Synapse/workspaces/sqlPools/geoBackupPolicies", "Microsoft.Databricks/workspaces",
        "Microsoft.MachineLearningServices/workspaces",
        "Microsoft.Sql/managedInstances", "Microsoft.Sql/managedInstances/databases",
        "Microsoft.Sql/managedInstances/databases/backupShortTermRetentionPolicies",
        "Microsoft.Sql/managedInstances/databases/backupLongTermRetentionPolicies",
        "Microsoft.Sql/locations/instanceFailoverGroups", "Microsoft.DBforPostgreSQL/flexibleServers",
        "Microsoft.DBforMySQL/flexibleServers", "Microsoft.EventHub/namespaces",
        "Microsoft.EventHub/namespaces/disasterRecoveryConfigs", "Microsoft.Purview/accounts",
        "Microsoft.Kusto/clusters", "Microsoft.Kusto/clusters/attachedDatabaseConfigurations",
    }


def test_analytics_services_are_read_with_their_rest_api_versions(arm: Emulator) -> None:
    collect(arm)
    versions = {r.path.rsplit("/providers/", 1)[-1].lower(): r.api_version for r in arm.requests
                if r.path.count("/") == 5 and "/providers/" in r.path}
    assert versions["microsoft.datafactory/factories"] == "2018-06-01"
    assert versions["microsoft.synapse/workspaces"] == "2021-06-01"
    assert versions["microsoft.databricks/workspaces"] == "2026-01-01"
    assert versions["microsoft.machinelearningservices/workspaces"] == "2024-04-01"
    assert versions["microsoft.dbforpostgresql/flexibleservers"] == "2025-08-01"
    assert versions["microsoft.dbformysql/flexibleservers"] == "2024-12-30"
    assert versions["microsoft.eventhub/namespaces"] == "2026-01-01"
    assert versions["microsoft.purview/accounts"] == "2021-12-01"
    assert versions["microsoft.kusto/clusters"] == "2024-04-13"


def test_scope_narrows_to_named_subscriptions_minus_excluded_ones(arm: Emulator) -> None:
    inventory = collect(arm, Scope(subscriptions=(SUB1, SUB2), exclude=(SUB2,)))
    assert {r.subscription_id for r in inventory.resources} == {SUB1}
    assert [s["subscriptionId"] for s in inventory.subscriptions] == [SUB1]
    assert {r.path.split("/")[2] for r in arm.requests if r.path.count("/") > 2} == {SUB1}


def test_a_resource_group_filter_keeps_that_group_and_the_locks_that_cover_it(arm: Emulator) -> None:
    inventory = collect(arm, Scope(resource_groups=("RG-SALES-SERVING",)))
    assert inventory.resources
    assert {r.resource_group.lower() for r in inventory.resources} == {"rg-sales-serving"}
    assert [g["name"] for g in inventory.resource_groups] == ["rg-sales-serving"]
    served = served_resources(arm)
    assert {r.key for r in inventory.resources} == {k for k in served if "/resourcegroups/rg-sales-serving/" in k}
    for lock in inventory.locks:
        scope = lock["id"].lower().split("/providers/microsoft.authorization/locks/")[0]
        assert "/resourcegroups/" not in scope or "/resourcegroups/rg-sales-serving" in scope


def test_a_resource_group_found_nowhere_is_an_error_not_an_empty_estate(arm: Emulator) -> None:
    with pytest.raises(CollectionError, match="rg-does-not-exist: not found"):
        collect(arm, Scope(resource_groups=("rg-does-not-exist",)))


def test_a_forbidden_subscription_is_one_gap_and_none_of_its_resources(arm: Emulator) -> None:
    arm.add_fault(Fault(f"^/subscriptions/{SUB3}/", 403, times=None))
    inventory = collect(arm)
    assert [(g.scope, g.data, g.status) for g in inventory.gaps] == [(f"/subscriptions/{SUB3}", "*", 403)]
    assert not [r for r in inventory.resources if r.subscription_id == SUB3]
    assert {r.key for r in inventory.resources} == set(served_resources(arm, set(arm.index.subscriptions) - {SUB3}))
    # Once its resource groups were refused, nothing more was asked of that subscription.
    assert {r.path for r in arm.requests if SUB3 in r.path} == {f"/subscriptions/{SUB3}/resourcegroups"}


def test_a_named_subscription_that_does_not_exist_is_a_gap(arm: Emulator) -> None:
    ghost = "00000000-0000-0000-0000-00000000dead"
    inventory = collect(arm, Scope(subscriptions=(SUB1, ghost)))
    gap = inventory.gap(f"/subscriptions/{ghost}", "anything")
    assert gap is not None and gap.status == 404 and gap.data == "*"
    assert {r.subscription_id for r in inventory.resources} == {SUB1}


def test_a_child_setting_answering_404_is_a_gap_on_its_parent(arm: Emulator) -> None:
    account = next(d for d in arm.estate.resources if d["type"] == "Microsoft.Storage/storageAccounts")
    arm.add_fault(Fault(f"^{account['id'].lower()}/blobservices/default", 404, times=None))
    inventory = collect(arm)
    gap = inventory.gap(account["id"], "Microsoft.Storage/storageAccounts/blobServices")
    assert gap is not None and gap.status == 404 and gap.scope == account["id"]
    assert len(inventory.gaps) == 1
    assert not inventory.children(account["id"], "Microsoft.Storage/storageAccounts/blobServices")


def test_a_failed_expand_leaves_the_account_but_not_its_replication_stats(arm: Emulator) -> None:
    account = next(d for d in arm.estate.resources if "geoReplicationStats" in d.get("properties", {}))
    arm.add_fault(Fault(f"^{account['id'].lower()}\\?.*expand=georeplicationstats", 500, times=None))
    inventory: Inventory = collect(arm)
    gap = inventory.gap(account["id"], "geoReplicationStats")
    assert gap is not None and gap.status == 500 and "retries exhausted" in gap.error
    kept = inventory.get(account["id"])
    assert kept is not None and "geoReplicationStats" not in kept.properties


def test_a_truncated_page_is_a_gap_and_the_pages_before_it_are_kept(arm: Emulator) -> None:
    arm.page_size = 1
    arm.add_fault(Fault(r"/providers/microsoft.sql/servers\?.*skiptoken=1(&|$)", 200, truncate=True, times=None))
    inventory = collect(arm)
    servers = [r for r in inventory.resources if r.type == "Microsoft.Sql/servers"]
    gapped = {g.scope.split("/")[2] for g in inventory.gaps if g.data == "Microsoft.Sql/servers"}
    assert gapped and all("malformed JSON" in g.error for g in inventory.gaps)
    for sub in gapped:  # the first page of that subscription's list still counts
        assert len([s for s in servers if s.subscription_id == sub]) == 1


@pytest.mark.parametrize("damage", [lambda vault: vault.pop("id"), lambda vault: vault.update(tags=["x"]),
                                    lambda vault: vault.update(type="Microsoft.KeyVault/managedHSMs")],
                         ids=["no id", "tags not an object", "another type"])
def test_documents_of_the_wrong_shape_are_a_gap_and_the_snapshot_still_loads(arm: Emulator, tmp_path: Any,
                                                                              damage: Any) -> None:
    vault = next(d for d in arm.estate.resources if d["type"] == "Microsoft.KeyVault/vaults")
    subscription = vault["id"].split("/")[2]
    damage(vault)  # served damaged (the emulator's index still lists it)
    inventory = collect(arm)
    gap = inventory.gap(f"/subscriptions/{subscription}", "Microsoft.KeyVault/vaults")
    assert gap is not None and gap.error.startswith("malformed payload: 1 document(s)")
    assert [g.scope for g in inventory.gaps] == [f"/subscriptions/{subscription}"]
    save_snapshot(inventory, tmp_path / "estate.json")
    assert len(load_snapshot(tmp_path / "estate.json").resources) == len(inventory.resources)


def test_a_rejected_token_stops_the_scan_with_an_error_that_does_not_quote_it(arm: Emulator) -> None:
    live = collector(arm)  # holds the emulator's token...
    sent = arm.token
    arm.token = "the-token-arm-wants-now"  # ...which ARM no longer accepts
    with pytest.raises(CollectionError, match=r"\(BCDR_SCAN_TOKEN\): ARM refused the token: HTTP 401") as failure:
        live.collect()
    assert sent not in str(failure.value)


def test_no_visible_subscription_is_an_error(arm: Emulator) -> None:
    with pytest.raises(CollectionError, match="no enabled subscription"):
        collect(arm, Scope(exclude=tuple(arm.index.subscriptions)))


def test_progress_counters_follow_the_collection(arm: Emulator) -> None:
    live = collector(arm)
    inventory = live.collect()
    assert live.progress.subscriptions == len(arm.index.subscriptions)
    assert live.progress.resources == len(inventory.resources)
    assert live.subscriptions_done() == len(arm.index.subscriptions)
    assert live.stats.requests == len(arm.requests)
    assert inventory.source["requests"] == len(arm.requests)


def test_a_slow_answer_is_retried_after_the_read_timeout(arm: Emulator) -> None:
    account = next(d for d in arm.estate.resources if d["type"] == "Microsoft.Storage/storageAccounts")
    arm.add_fault(Fault(f"^{account['id'].lower()}/blobservices/default", None, latency=1.0, times=1))
    live = collector(arm, read_timeout=0.3)
    inventory = live.collect()
    assert inventory.gaps == []
    assert inventory.children(account["id"], "Microsoft.Storage/storageAccounts/blobServices")
    assert live.stats.errors == 1  # the attempt that timed out; its retry was answered in time


def test_an_answer_that_never_comes_in_time_is_a_gap(arm: Emulator) -> None:
    account = next(d for d in arm.estate.resources if d["type"] == "Microsoft.Storage/storageAccounts")
    arm.add_fault(Fault(f"^{account['id'].lower()}/blobservices/default", None, latency=0.5, times=None))
    inventory = collect(arm, read_timeout=0.1)
    gap = inventory.gap(account["id"], "Microsoft.Storage/storageAccounts/blobServices")
    assert gap is not None and gap.error.startswith("no complete response from ARM") and gap.status is None


def test_locations_are_read_once_per_scan_and_no_url_twice(arm: Emulator) -> None:
    inventory = collect(arm)
    subscriptions = {s["subscriptionId"].lower() for s in arm.estate.subscriptions}
    assert len(subscriptions) > 1
    locations = [r for r in arm.requests if r.path.lower().endswith("/locations") and "skiptoken" not in r.query]
    assert [r.path.lower() for r in locations] == [f"/subscriptions/{min(subscriptions)}/locations"]
    assert {loc["name"] for loc in inventory.locations} == {loc["name"] for loc in arm.estate.locations}
    asked = [(r.path.lower(), r.query.lower()) for r in arm.requests]
    assert [u for u, n in Counter(asked).items() if n > 1] == []
    assert inventory.source["requests"] == len(arm.requests)
