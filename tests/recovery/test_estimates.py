"""Each resource type's recovery estimate, on Microsoft's REST API example payloads (through the check
builders, which re-home them), including the inputs that leave a figure unknown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from scanner.check import EvaluationContext
from scanner.model import Inventory, ReadGap, Resource
from scanner.policy import Policy, Zone
from scanner.recovery import Estimate, NotEstimated, Scenario, estimate
from scanner.recovery.figures import (
    BACKUP_RELIABILITY,
    LAST_SYNC_TIME,
    SQL_BCDR,
    STORAGE_REGION_DOWN,
    Kind,
    Verdict,
)
from tests.checks.backup import builders as backup
from tests.checks.cosmosdb.builders import account as cosmos_account
from tests.checks.cosmosdb.builders import continuous, periodic
from tests.checks.dataexplorer.builders import cluster
from tests.checks.eventhub.builders import alias, geo_replicated, namespace
from tests.checks.keyvault.builders import listed_without_properties, vault
from tests.checks.mysql.builders import replica as mysql_replica
from tests.checks.mysql.builders import server as mysql_server
from tests.checks.postgresql.builders import replica as pg_replica
from tests.checks.postgresql.builders import server as pg_server
from tests.checks.sql.builders import database, failover_group, master, replication_link, short_term_retention
from tests.checks.sqlmi import builders as mi
from tests.checks.storage.builders import account, blob_service
from tests.helpers import SCAN_TIME, arm, example_body, inventory, zone

REGIONAL, DELETION = Scenario.REGIONAL, Scenario.DELETION
H = timedelta(hours=1)


def estimated(document: dict[str, Any], *others: dict[str, Any], the_zone: Zone | None = None,
              inv: Inventory | None = None, scan_time: datetime = SCAN_TIME) -> Estimate | NotEstimated | None:
    inv = inv or inventory(document, *others)
    resource = inv.get(document["id"]) or Resource(document)
    the_zone = the_zone or zone()
    return estimate(resource, EvaluationContext(inv, the_zone, Policy((), the_zone), scan_time))


def chosen(document: dict[str, Any], *others: dict[str, Any], scenario: Scenario = REGIONAL, **kwargs: Any) -> Any:
    found = estimated(document, *others, **kwargs)
    assert isinstance(found, Estimate), found
    return found.option(scenario)


def seconds(figure: Any) -> int | None:
    return int(figure.upper.total_seconds()) if figure.kind == Kind.DURATION else None


# --- storage -----------------------------------------------------------------------------------
def test_geo_replicated_account_uses_the_measured_lag_and_the_documented_failover_time():
    document = example_body("storage/StorageAccountGetProperties.json")  # GRS, Live, lastSyncTime 00:25:34
    option = chosen(document, scan_time=datetime(2018, 10, 30, 0, 35, 34, tzinfo=UTC))
    assert seconds(option.rpo) == 600 and "10m" in option.rpo.text and "lastSyncTime" in option.rpo.text
    assert seconds(option.rto) == 3600 and "typical" in option.rto.text
    assert {LAST_SYNC_TIME, STORAGE_REGION_DOWN} <= set(option.sources)


def test_without_replication_stats_the_typical_figure_stands_in_and_says_so():
    option = chosen(account(sku="Standard_GRS"))
    assert seconds(option.rpo) == 15 * 60 and "typical, no SLA" in option.rpo.text
    assert "geoReplicationStats not read" in option.mechanism


@pytest.mark.parametrize("stats", [{"status": "Bootstrap", "canFailover": False},
                                   {"status": "Live", "canFailover": False, "lastSyncTime": "2026-11-25T11:59:00Z"},
                                   {"status": "Unavailable", "lastSyncTime": "2026-11-25T11:00:00Z"}])
def test_a_secondary_that_cannot_be_used_now_recovers_nothing(stats):
    option = chosen(account(sku="Standard_RAGRS", stats=stats))
    assert option.rpo.kind == option.rto.kind == Kind.NONE
    assert "STG-004" in option.covered_by


def test_a_last_sync_time_after_the_scan_time_gives_an_unknown_rpo_not_a_zero_lag():
    found = estimated(account(sku="Standard_GRS", stats={"status": "Live", "lastSyncTime": "2026-11-26T12:00:00Z"}))
    assert isinstance(found, Estimate)
    assert found.option(REGIONAL).rpo.kind == Kind.UNKNOWN and not found.option(REGIONAL).rpo.undocumented
    assert found.verdict(REGIONAL) == Verdict.UNKNOWN


def test_locally_redundant_account_loses_its_data_and_defers_to_stg_001():
    option = chosen(account(sku="Standard_LRS"))
    assert option.rpo.kind == Kind.NONE and option.covered_by == ("STG-001",)


def test_an_account_without_a_known_sku_is_unknown():
    option = chosen(account(sku=None))
    assert option.rpo.kind == Kind.UNKNOWN and "sku.name" in option.rpo.text


def test_vaulted_blob_backup_in_a_geo_redundant_vault_reaches_the_pair_up_to_12h_after_each_backup():
    source = account(sku="Standard_LRS", hns=None, name="stexportsweu")
    vault = backup.backup_vault(crr="Disabled")
    policy = backup.policy(vault)  # GetBackupPolicy: a weekly schedule (R/.../P1W)
    option = chosen(source, vault, policy, backup.instance(vault, policy, source))
    assert seconds(option.rpo) == int((timedelta(weeks=1) + 12 * H).total_seconds())
    assert option.rto.kind == Kind.UNKNOWN and option.rto.undocumented
    assert "cross-region restore off" in option.mechanism and BACKUP_RELIABILITY in option.sources


def test_a_backup_in_a_locally_redundant_vault_is_no_regional_copy_but_counts_for_a_deletion():
    source = account(sku="Standard_LRS", hns=None, name="stexportsweu")
    vault = backup.backup_vault(redundancy="LocallyRedundant")
    policy = backup.policy(vault)
    found = estimated(source, vault, policy, backup.instance(vault, policy, source), blob_service(source))
    assert isinstance(found, Estimate)
    assert found.option(REGIONAL).rpo.kind == Kind.NONE
    assert any("vaulted blob backup" in o.mechanism for o in found.options(DELETION))


def test_blob_soft_delete_restores_deleted_blobs_but_microsoft_gives_no_restore_time():
    source = account()
    option = chosen(source, blob_service(source), scenario=DELETION)
    assert seconds(option.rpo) == 0 and option.rto.undocumented


def test_no_soft_delete_no_versioning_no_restore_no_backup_means_a_deleted_blob_is_gone():
    source = account(hns=None)
    service = blob_service(source, deleteRetentionPolicy={"enabled": False}, isVersioningEnabled=False,
                           restorePolicy=None, changeFeed=None)
    option = chosen(source, service, scenario=DELETION)
    assert option.rpo.kind == Kind.NONE


def test_an_unread_blob_service_leaves_the_deletion_estimate_unknown():
    option = chosen(account(), scenario=DELETION)
    assert option.rpo.kind == Kind.UNKNOWN and not option.rpo.undocumented


# --- Cosmos DB ---------------------------------------------------------------------------------
def test_cosmos_example_single_region_on_geo_backups_recovers_from_its_last_backup():
    document = example_body("cosmos-db/CosmosDBDatabaseAccountGet.json")  # East US, periodic 240 min, Geo
    found = estimated(document)
    assert isinstance(found, Estimate)
    assert seconds(found.option(REGIONAL).rpo) == 4 * 3600 and found.option(REGIONAL).rto.undocumented
    assert seconds(found.option(DELETION).rpo) == 4 * 3600


@pytest.mark.parametrize(("flags", "rto_kind"), [({"automatic_failover": True}, Kind.UNKNOWN),
                                                 ({"multi_write": True}, Kind.UNKNOWN),
                                                 ({"automatic_failover": False}, Kind.NONE)])
def test_cosmos_replicas_lose_under_15_minutes_and_recover_only_with_a_failover_mechanism(flags, rto_kind):
    document = cosmos_account((("West Europe", True), ("North Europe", True)), **flags)
    option = chosen(document)
    assert seconds(option.rpo) == 15 * 60 and option.rto.kind == rto_kind
    assert ("COS-002" in option.covered_by) is (rto_kind == Kind.NONE)


@pytest.mark.parametrize(("consistency", "expected"), [({"defaultConsistencyLevel": "Strong"}, 0),
                                                       ({"defaultConsistencyLevel": "BoundedStaleness",
                                                         "maxIntervalInSeconds": 300, "maxStalenessPrefix": 100000},
                                                        300),
                                                       ({"defaultConsistencyLevel": "Unheard"}, None)])
def test_cosmos_rpo_follows_the_consistency_level(consistency, expected):
    document = cosmos_account((("West Europe", True), ("North Europe", True)), automatic_failover=True)
    document["properties"]["consistencyPolicy"] = consistency
    assert seconds(chosen(document).rpo) == expected


@pytest.mark.parametrize("policy", [continuous(), periodic("Local"), periodic("Zone")])
def test_single_region_cosmos_with_backups_kept_in_the_region_loses_them_with_it(policy):
    option = chosen(cosmos_account(backup=policy))
    assert option.rpo.kind == Kind.NONE and "COS-001" in option.covered_by


def test_cosmos_continuous_backup_restores_to_100_seconds_and_a_truncated_document_is_unknown():
    option = chosen(cosmos_account(backup=continuous()), scenario=DELETION)
    assert seconds(option.rpo) == 100
    truncated = {k: v for k, v in cosmos_account().items() if k != "properties"}
    assert chosen(truncated).rpo.kind == Kind.UNKNOWN


# --- Azure SQL databases -----------------------------------------------------------------------
def test_sql_zone_backups_without_replica_lose_the_database_and_the_system_database_is_not_estimated():
    option = chosen(database())  # testdb: Zone backup storage
    assert option.rpo.kind == Kind.NONE and set(option.covered_by) == {"SQL-003", "SQL-001"}
    assert isinstance(estimated(master()), NotEstimated)


def test_sql_geo_restore_is_one_hour_and_twelve_hours():
    option = chosen(database(requestedBackupStorageRedundancy="Geo", currentBackupStorageRedundancy="Geo"))
    assert (seconds(option.rpo), seconds(option.rto)) == (3600, 12 * 3600) and SQL_BCDR in option.sources


@pytest.mark.parametrize(("grace", "rto"), [(60, 3600), (480, 8 * 3600)])
def test_an_automatic_failover_group_recovers_after_its_grace_period(grace, rto):
    option = chosen(database(), failover_group("Automatic", grace))
    assert (seconds(option.rpo), seconds(option.rto)) == (5, rto) and option.covered_by == ("SQL-002",)


def test_a_manual_failover_group_or_a_geo_link_waits_for_an_operator_whose_time_is_undocumented():
    for other in (failover_group("Manual", None), replication_link()):
        option = chosen(database(), other)
        assert seconds(option.rpo) == 5 and option.rto.kind == Kind.UNKNOWN and option.rto.undocumented


def test_a_geo_secondary_is_judged_through_its_primary():
    assert isinstance(estimated(database(), replication_link(role="Secondary")), NotEstimated)


def test_unread_failover_groups_leave_a_local_backup_database_unknown_not_lost():
    db = database()
    gap = ReadGap(db["id"].rsplit("/databases/", 1)[0], "Microsoft.Sql/servers/failoverGroups", "HTTP 403", 403)
    found = estimated(db, inv=inventory(db, gaps=[gap]))
    assert isinstance(found, Estimate) and found.option(REGIONAL).rpo.kind == Kind.UNKNOWN


def test_sql_point_in_time_restore_from_the_retention_policy_example():
    option = chosen(database(), short_term_retention(7), scenario=DELETION)
    assert (seconds(option.rpo), seconds(option.rto)) == (600, 12 * 3600) and "7 days" in option.mechanism
    assert chosen(database(), scenario=DELETION).rpo.kind == Kind.UNKNOWN  # policy not read


# --- SQL Managed Instance ----------------------------------------------------------------------
def test_managed_database_recovers_through_its_instance():
    instance = mi.instance()  # ManagedInstanceGet: Geo backups
    db = mi.database(instance)
    option = chosen(db, instance, mi.short_term(db))
    assert (seconds(option.rpo), seconds(option.rto)) == (3600, 12 * 3600)
    assert option.covered_by == (f"SQLMI-001@{instance['id']}",)
    group = mi.failover_group(instance, mi.instance("sqlmi-sales-neu", "northeurope", rg="rg-dr"))
    option = chosen(db, instance, group)
    assert seconds(option.rpo) == 5 and "instance failover group" in option.mechanism


def test_databases_of_the_geo_secondary_instance_are_not_estimated_and_an_unread_instance_is_unknown():
    primary, secondary = mi.instance(), mi.instance("sqlmi-sales-neu", "northeurope", rg="rg-dr")
    db = mi.database(secondary)
    assert isinstance(estimated(db, primary, secondary, mi.failover_group(primary, secondary)), NotEstimated)
    alone = mi.database(primary)
    assert chosen(alone).rpo.kind == Kind.UNKNOWN


# --- PostgreSQL and MySQL ------------------------------------------------------------------------
def test_postgresql_example_geo_restore_and_a_replica_elsewhere():
    server = pg_server()  # ServersGet: geo-redundant backup enabled
    option = chosen(server)
    assert seconds(option.rpo) == 3600 and option.rto.undocumented
    option = chosen(server, pg_replica(server))
    assert (seconds(option.rpo), seconds(option.rto)) == (300, 3600) and "read replica" in option.mechanism
    assert isinstance(estimated(pg_replica(server), server), NotEstimated)


def test_postgresql_point_in_time_restore_takes_up_to_twelve_hours():
    option = chosen(pg_server(), scenario=DELETION)
    assert (seconds(option.rpo), seconds(option.rto)) == (300, 12 * 3600)


def test_mysql_example_without_geo_backup_or_replica_keeps_nothing_outside_its_region():
    server = mysql_server()  # ServerGet: geo-redundant backup disabled, role None
    option = chosen(server)
    assert option.rpo.kind == Kind.NONE and set(option.covered_by) == {"MY-001", "MY-004"}
    option = chosen(server, mysql_replica(server))
    assert (seconds(option.rpo), seconds(option.rto)) == (3600, 3600)
    assert chosen(server, scenario=DELETION).rto.undocumented  # PITR: "RTO varies"


def test_mysql_source_whose_replicas_were_not_scanned_is_unknown():
    option = chosen(mysql_server(role="Source"))
    assert option.rpo.kind == Kind.UNKNOWN


# --- Key Vault ---------------------------------------------------------------------------------
def test_key_vault_example_fails_over_to_its_pair_and_soft_delete_is_on_by_default():
    found = estimated(vault())  # getVault: enableSoftDelete left out (the default, on)
    assert isinstance(found, Estimate)
    assert (seconds(found.option(REGIONAL).rpo), seconds(found.option(REGIONAL).rto)) == (900, 1200)
    assert seconds(found.option(DELETION).rpo) == 0


@pytest.mark.parametrize("region", ["brazilsouth", "westus3", "polandcentral"])
def test_key_vault_regions_without_cross_region_replication(region):
    option = chosen(vault(location=region))
    assert option.rpo.kind == Kind.NONE and option.covered_by == ("KV-003",)


def test_key_vault_soft_delete_off_and_properties_not_read():
    assert chosen(vault(enableSoftDelete=False), scenario=DELETION).rpo.kind == Kind.NONE
    assert chosen(listed_without_properties(), scenario=DELETION).rpo.kind == Kind.UNKNOWN


# --- Event Hubs ----------------------------------------------------------------------------------
def test_event_hubs_geo_replication_bounds_the_rpo_by_the_maximum_lag():
    option = chosen(geo_replicated())  # NamespaceWithGeoDRCreate: max lag 60 s
    assert seconds(option.rpo) == 60 and option.rto.undocumented


def test_event_hubs_geo_dr_alias_replicates_no_events_and_its_secondary_is_not_estimated():
    primary, secondary = namespace(), namespace("evhns-sales-neu", "northeurope")
    option = chosen(primary, secondary, alias(primary, secondary["id"]))
    assert option.rpo.kind == Kind.NONE and option.covered_by == ("EVH-002",)
    assert isinstance(estimated(secondary, primary, alias(secondary, primary["id"], role="Secondary")), NotEstimated)
    assert chosen(namespace()).covered_by == ("EVH-001",)


# --- Synapse pools, Data Explorer, Purview ----------------------------------------------------------
@pytest.mark.parametrize(("state", "kind", "rpo"), [("Enabled", Kind.DURATION, 24 * 3600),
                                                    ("Disabled", Kind.NONE, None), (None, Kind.UNKNOWN, None)])
def test_synapse_pool_geo_backup(state, kind, rpo):
    pool = arm("Microsoft.Synapse/workspaces/sqlPools", "synw/pool", properties={"status": "Online"})
    docs = [] if state is None else [arm("Microsoft.Synapse/workspaces/sqlPools/geoBackupPolicies",
                                         "synw/pool/Default", properties={"state": state})]
    option = chosen(pool, *docs)
    assert option.rpo.kind == kind and seconds(option.rpo) == rpo
    assert seconds(chosen(pool, *docs, scenario=DELETION).rpo) == 8 * 3600


def test_data_explorer_example_alone_is_lost_with_its_region_and_a_standby_is_undocumented():
    primary = cluster()  # KustoClustersGet re-homed to westeurope
    option = chosen(primary)
    assert option.rpo.kind == Kind.NONE and option.covered_by == ("GEN-002",)
    option = chosen(primary, cluster("adx-sales-neu", "northeurope"))
    assert option.rpo.undocumented and "standby" in option.mechanism
    assert chosen(primary, scenario=DELETION).rpo.kind == Kind.NONE


def test_purview_example_has_no_built_in_recovery():
    document = example_body("purview/Accounts_Get.json")
    found = estimated(document)
    assert isinstance(found, Estimate)
    assert found.option(REGIONAL).rpo.kind == Kind.NONE and found.option(DELETION).rpo.undocumented


# --- malformed input -----------------------------------------------------------------------------
def test_a_malformed_document_gives_an_unknown_estimate_never_a_crash_or_a_figure():
    document = account(sku="Standard_GRS", stats={"status": "Live", "lastSyncTime": 12345})
    option = chosen(document)
    assert option.rpo.kind == Kind.UNKNOWN
    broken = database()
    broken["properties"] = {"requestedBackupStorageRedundancy": ["Geo"]}
    found = estimated(broken)
    assert isinstance(found, Estimate) and found.verdict(REGIONAL) == Verdict.UNKNOWN
