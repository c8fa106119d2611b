from __future__ import annotations

from datetime import timedelta

from checks.general.recovery_readiness import RegionalRecoveryReadinessCheck
from scanner.check import Status
from scanner.engine import Outcome, evaluate
from scanner.model import Inventory, ReadGap
from scanner.policy import Policy, Zone
from scanner.registry import discover, select
from tests.checks.backup import builders as backup
from tests.checks.cosmosdb.builders import account as cosmos_account
from tests.checks.sql.builders import database, master, replication_link
from tests.checks.sqlmi import builders as mi
from tests.checks.storage.builders import account
from tests.helpers import SCAN_TIME, inventory, judge, zone

CHECK = RegionalRecoveryReadinessCheck()


def daily(policy: dict) -> dict:
    policy["properties"]["policyRules"][0]["trigger"]["schedule"]["repeatingTimeIntervals"] = [
        "R/2026-01-05T02:00:00+00:00/P1D"]
    return policy


def backed_up_lrs_account() -> tuple[dict, Inventory]:
    source = account("stexportsweu", sku="Standard_LRS", hns=None)
    vault = backup.backup_vault(crr="Disabled")
    policy = daily(backup.policy(vault))
    return source, inventory(source, vault, policy, backup.instance(vault, policy, source))


def scan_outcomes(inv: Inventory, the_zone: Zone, only: tuple[str, ...] = ()) -> dict[tuple[str, str], Outcome]:
    checks = select(discover(include_plugins=False), only)
    scan = evaluate(inv, Policy((), the_zone), checks, SCAN_TIME)
    return {(o.check.id, o.resource.name): o for o in scan.outcomes}


def test_passes_when_the_documented_worst_case_is_within_the_zones_objectives():
    result = judge(CHECK, account(sku="Standard_GRS"), zone(rpo="1h", rto="4h"))
    assert result.status == Status.PASS
    assert result.evidence["achieved"]["rpo"]["seconds"] == 900


def test_fails_a_daily_vaulted_backup_whose_copy_reaches_the_pair_36_hours_late():
    source, inv = backed_up_lrs_account()
    result = judge(CHECK, source, zone(rpo="24h", rto="72h"), inv)
    assert result.status == Status.FAIL and result.severity is not None
    assert "36h" in result.message and "against 1d" in result.message and "vaulted blob backup" in result.message
    assert result.evidence["required"] == {"rpo": "1d", "rto": "3d"}
    assert result.evidence["cheapest_change"].startswith("change the redundancy to GZRS")
    assert result.requirement == "rpo=1d (backup-restore zone lz-backup-restore)"
    # STG-001 passes the account (the geo-redundant vault keeps a copy): GEN-004 is the only report.
    outcomes = scan_outcomes(inv, zone(rpo="24h", rto="72h"))
    assert outcomes[("STG-001", "stexportsweu")].status == Status.PASS
    assert outcomes[("GEN-004", "stexportsweu")].status == Status.FAIL


def test_a_miss_a_specific_check_already_reports_is_not_reported_twice():
    the_zone = zone(rpo="24h", rto="24h")
    lrs = account("stlocal", sku="Standard_LRS")
    assert judge(CHECK, lrs, the_zone).status == Status.FAIL  # on its own, GEN-004 sees the miss
    outcomes = scan_outcomes(inventory(lrs), the_zone)
    assert outcomes[("STG-001", "stlocal")].status == Status.FAIL
    deferred = outcomes[("GEN-004", "stlocal")]
    assert deferred.status == Status.NOT_APPLICABLE and "reported by STG-001" in deferred.result.message
    # ...unless the specific check did not run: a skipped check suppresses nothing.
    assert scan_outcomes(inventory(lrs), the_zone, ("GEN-*",))[("GEN-004", "stlocal")].status == Status.FAIL


def test_a_managed_database_miss_is_left_to_the_instance_check_that_reports_it():
    instance = mi.instance(requestedBackupStorageRedundancy="Local", currentBackupStorageRedundancy="Local")
    db = mi.database(instance)
    outcomes = scan_outcomes(inventory(instance, db, mi.short_term(db)), zone(rpo="24h", rto="24h"))
    assert outcomes[("SQLMI-002", instance["name"])].status == Status.FAIL
    deferred = outcomes[("GEN-004", "salesdw")]
    assert deferred.status == Status.NOT_APPLICABLE and f"SQLMI-002 on {instance['name']}" in deferred.result.message


def test_not_applicable_in_redeploy_zones_to_dr_copies_and_where_the_deciding_figure_is_undocumented():
    assert judge(CHECK, account(sku="Standard_LRS"), zone("redeploy")).status == Status.NOT_APPLICABLE
    assert judge(CHECK, account(sku="Standard_LRS"), zone("redeploy", requirements={"geo_redundancy": "required"})
                 ).status == Status.FAIL
    secondary = judge(CHECK, database(), zone(), inventory(database(), replication_link(role="Secondary")))
    assert secondary.status == Status.NOT_APPLICABLE and "geo-secondary" in secondary.message
    replicated = cosmos_account((("West Europe", True), ("North Europe", True)), automatic_failover=True)
    undocumented = judge(CHECK, replicated, zone("hot-spare", rpo="15m", rto="1h", secondary_region="northeurope"))
    assert undocumented.status == Status.NOT_APPLICABLE and "documents no figure" in undocumented.message
    assert not CHECK.applies_to(inventory(master()).resources[0])


def test_unknown_when_an_input_was_not_read():
    result = judge(CHECK, account(sku=None), zone())
    assert result.status == Status.UNKNOWN and "sku.name" in result.evidence["missing"]
    stats = {"status": "Live", "lastSyncTime": (SCAN_TIME + timedelta(hours=2)).isoformat()}
    assert judge(CHECK, account(sku="Standard_GRS", stats=stats), zone()).status == Status.UNKNOWN


def test_a_miss_is_unknown_while_an_unread_list_may_hold_a_copy_that_meets_the_targets():
    # Geo backup storage gives geo-restore (RPO 1h): it misses a 15m target, but an instance failover group
    # in the unread list would meet it, so the verdict waits for the list.
    instance = mi.instance(requestedBackupStorageRedundancy="Geo", currentBackupStorageRedundancy="Geo")
    db = mi.database(instance)
    subscription = instance["id"].split("/resourceGroups/")[0]
    gap = ReadGap(subscription, "Microsoft.Sql/locations/instanceFailoverGroups", "HTTP 500", 500)
    the_zone = zone(rpo="15m", rto="4h")
    read = judge(CHECK, db, the_zone, inventory(instance, db, mi.short_term(db)))
    assert read.status == Status.FAIL and "geo-restore" in read.message
    unread = judge(CHECK, db, the_zone, inventory(instance, db, mi.short_term(db), gaps=[gap]))
    assert unread.status == Status.UNKNOWN
    assert "instance failover groups" in unread.evidence["missing"] and "misses" in unread.evidence["missing"]
