"""One malformed value in one resource makes that resource's verdicts unknown, with a reason; the scan goes on."""

import json
from pathlib import Path

import pytest

from scanner.check import Check, Severity, Status
from scanner.cli import main
from scanner.engine import evaluate, suspicious_fields
from scanner.policy import Policy, parse_policy
from scanner.registry import discover
from scanner.snapshot import load_snapshot
from tests.checks.cosmosdb.builders import account as cosmos_account
from tests.checks.cosmosdb.builders import periodic
from tests.helpers import REPO, SCAN_TIME, arm, inventory

SAMPLE = REPO / "fixtures" / "sample-estate"
BACKUP_RESTORE = parse_policy({"default_zone": {"name": "z", "strategy": "backup-restore", "rpo": "1h",
                                                "rto": "4h"}}, "t")


class _Arithmetic(Check):
    """A check doing what checks do with numbers from a document."""

    id, title, service, severity = "TST-001", "arithmetic", "Test", Severity.LOW
    resource_type = "Microsoft.KeyVault/vaults"
    rationale = guidance = ""
    logic = {}

    def evaluate(self, resource, ctx):
        from datetime import timedelta

        days = resource.prop("softDeleteRetentionInDays")
        return self.passed(f"{timedelta(days=days)}")  # OverflowError for 10**15, TypeError for "90"


@pytest.mark.parametrize(("value", "suspect"), [
    (10**15, None), (float("nan"), "properties.softDeleteRetentionInDays (nan)"),
    (float("inf"), "properties.softDeleteRetentionInDays (inf)"),
    (2**60, "properties.softDeleteRetentionInDays (a number beyond 2**53)"), ("90", None),
])
def test_a_check_broken_by_one_value_gives_unknown_naming_the_field(value, suspect):
    broken = arm("Microsoft.KeyVault/vaults", "kv-broken", properties={"softDeleteRetentionInDays": value})
    fine = arm("Microsoft.KeyVault/vaults", "kv-fine", properties={"softDeleteRetentionInDays": 90})
    scan = evaluate(inventory(broken, fine), BACKUP_RESTORE, [_Arithmetic()], SCAN_TIME)
    outcome = {o.resource.name: o for o in scan.outcomes}
    assert outcome["kv-fine"].status == Status.PASS
    assert outcome["kv-broken"].status == Status.UNKNOWN
    assert outcome["kv-broken"].result.message.startswith("cannot judge: malformed or unexpected data")
    if suspect:
        assert suspect in outcome["kv-broken"].result.message
        assert outcome["kv-broken"].result.evidence["suspect_fields"] == [suspect]


def test_a_check_whose_applies_to_breaks_is_unknown_not_skipped(mocker):
    vault = arm("Microsoft.KeyVault/vaults", "kv", properties={"softDeleteRetentionInDays": 90})
    mocker.patch.object(_Arithmetic, "applies_to", side_effect=TypeError("'int' object is not subscriptable"))
    scan = evaluate(inventory(vault), BACKUP_RESTORE, [_Arithmetic()], SCAN_TIME)
    assert [o.status for o in scan.outcomes] == [Status.UNKNOWN]
    assert "TypeError" in scan.outcomes[0].result.message


def test_a_resource_that_cannot_be_placed_in_a_zone_is_unknown_in_the_default_zone(mocker):
    vault = arm("Microsoft.KeyVault/vaults", "kv", properties={"softDeleteRetentionInDays": 90})
    policy = Policy(zones=(), default_zone=BACKUP_RESTORE.default_zone)
    mocker.patch.object(Policy, "zone_for", side_effect=RecursionError("maximum recursion depth exceeded"))
    scan = evaluate(inventory(vault), policy, [_Arithmetic()], SCAN_TIME)
    assert [o.status for o in scan.outcomes] == [Status.UNKNOWN]
    assert "to place the resource in a landing zone" in scan.outcomes[0].result.message


def test_suspicious_fields_is_bounded_on_deep_and_wide_documents():
    deep: object = 1
    for _ in range(5000):
        deep = [deep]
    [found] = suspicious_fields({"properties": {"deep": deep}})
    assert found.startswith("properties.deep[0][0]") and found.endswith("... (nested deeper than 32 levels)")
    # At most 10,000 values are looked at, and at most five reported.
    assert suspicious_fields({"wide": [float("nan"), *range(20_000)]}) == []  # the NaN is never reached
    assert len(suspicious_fields({"p": [float("nan")] * 100})) == 5


def hostile_estate() -> list[dict]:
    """Real-shaped documents, each with one absurd value."""
    interval = cosmos_account(name="cosmos-absurd-interval", backup=periodic(interval=10**15))
    nan_days = arm("Microsoft.KeyVault/vaults", "kv-nan", properties={"enableSoftDelete": True,
                                                                       "softDeleteRetentionInDays": float("nan"),
                                                                       "enablePurgeProtection": True})
    text_regions = cosmos_account(name="cosmos-text-locations")
    text_regions["properties"]["locations"] = "westeurope"
    future = arm("Microsoft.Storage/storageAccounts", "stfuture", sku={"name": "Standard_RAGRS"}, kind="StorageV2",
                 properties={"geoReplicationStats": {"status": "Live", "lastSyncTime": "9999-12-31T23:59:59Z"}})
    # The schema checks each resource's envelope (id, type, sku, tags are what they must be); inside
    # `properties` anything goes, and the checks must cope.
    deep = arm("Microsoft.Sql/servers/databases", "sql1/db1", sku={"name": 5, "tier": ["GeneralPurpose"]},
               properties={"zoneRedundant": {"value": [[[[True]]]]}, "requestedBackupStorageRedundancy": 10**300,
                           "currentSku": [[["GP_Gen5"]]], "edition": {"name": "Standard"}})
    return [interval, nan_days, text_regions, future, deep]


def test_a_hostile_snapshot_is_judged_to_the_end(tmp_path: Path):
    documents = hostile_estate()
    snapshot = {"kind": "bcdr-scan/snapshot", "version": 1, "collected_at": "2026-11-20T06:00:00Z",
                "resources": documents, "locks": [], "resource_groups": []}
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(snapshot))
    for strategy in ("redeploy", "backup-restore", "warm-spare", "hot-spare"):
        policy = parse_policy({"default_zone": {"name": "z", "strategy": strategy, "rpo": "15m", "rto": "1h"}}, "t")
        scan = evaluate(load_snapshot(path), policy, discover(include_plugins=False))
        assert {o.resource.name for o in scan.outcomes} == {d["name"] for d in documents}
        for outcome in scan.outcomes:
            assert outcome.status != Status.PASS or outcome.check.id not in ("COS-006", "STG-004", "KV-002"), \
                (outcome.check.id, outcome.resource.name, outcome.result.message)
    interval = next(o for o in evaluate(load_snapshot(path), BACKUP_RESTORE, discover(include_plugins=False)).outcomes
                    if o.check.id == "COS-006")
    assert interval.status == Status.UNKNOWN and "backupIntervalInMinutes" in interval.result.message


def test_the_cli_scans_a_hostile_snapshot_without_a_traceback(tmp_path: Path, capsys):
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps({"kind": "bcdr-scan/snapshot", "version": 1, "collected_at": "2026-11-20T06:00:00Z",
                                "resources": hostile_estate(), "locks": [], "resource_groups": []}))
    with pytest.raises(SystemExit) as exited:
        main(["scan", "--snapshot", str(path), "--format", "json"])
    out, err = capsys.readouterr()
    assert exited.value.code == 3, err  # judged, with unknowns: incomplete coverage, not a crash
    assert "Traceback" not in err
    report = json.loads(out)
    assert report["coverage"]["unknown"]


def test_the_sample_estate_has_no_malformed_verdicts():
    scan = evaluate(load_snapshot(SAMPLE), BACKUP_RESTORE, discover(include_plugins=False))
    assert not [o for o in scan.outcomes if "malformed" in o.result.message]

