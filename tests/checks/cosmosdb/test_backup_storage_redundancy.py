import pytest

from checks.cosmosdb.backup_storage_redundancy import CosmosBackupStorageRedundancyCheck
from scanner.check import Severity, Status
from tests.checks.cosmosdb.builders import account, continuous, periodic
from tests.helpers import example_body, judge, zone

CHECK = CosmosBackupStorageRedundancyCheck()
BACKUP = zone("backup-restore")


def test_geo_redundant_periodic_backups_pass():
    # Microsoft's GET example keeps periodic backups on Geo storage.
    result = judge(CHECK, example_body("cosmos-db/CosmosDBDatabaseAccountGet.json"), BACKUP)
    assert result.status == Status.PASS
    assert result.evidence["observed"] == "Geo"


@pytest.mark.parametrize("redundancy", ["Local", "Zone", "local"])
def test_backups_kept_in_the_region_fail_high_in_backup_restore(redundancy):
    result = judge(CHECK, account(backup=periodic(redundancy)), BACKUP)
    assert result.status == Status.FAIL
    assert result.severity == Severity.HIGH
    assert result.evidence["required"] == "Geo"
    assert result.requirement == "geo_redundancy=required (backup-restore default)"


@pytest.mark.parametrize("strategy", ["warm-spare", "hot-spare"])
def test_backups_kept_in_the_region_fail_medium_where_live_replicas_exist(strategy):
    body = account((("West Europe", True), ("North Europe", True)), backup=periodic("Zone"))
    result = judge(CHECK, body, zone(strategy, rpo="15m", rto="1h"))
    assert (result.status, result.severity) == (Status.FAIL, Severity.MEDIUM)
    assert result.evidence["observed"] == "Zone"


def test_continuous_backup_is_not_applicable_and_says_why():
    result = judge(CHECK, account(backup=continuous("Continuous30Days")), BACKUP)
    assert result.status == Status.NOT_APPLICABLE
    assert "each region of the account keeps its own backups" in result.message


def test_not_applicable_where_geo_redundancy_is_optional():
    assert judge(CHECK, account(backup=periodic("Local")), zone("redeploy")).status == Status.NOT_APPLICABLE


def test_full_account_without_a_policy_has_azures_geo_default_where_the_region_has_a_pair():
    body = account(regions=(("West Europe", True),))
    del body["properties"]["backupPolicy"]
    result = judge(CHECK, body, BACKUP)
    assert result.status == Status.PASS
    assert "northeurope" in result.message
    assert "Azure's documented default is assumed" in result.evidence["assumed_default"]
    unpaired = account(regions=(("Poland Central", True),))  # a region without a pair: Azure chose, unrecorded
    del unpaired["properties"]["backupPolicy"]
    unknown = judge(CHECK, unpaired, BACKUP)
    assert unknown.status == Status.UNKNOWN
    assert "has no paired region" in unknown.evidence["missing"]


def test_missing_policy_in_a_truncated_document_or_missing_redundancy_is_unknown_not_pass():
    body = example_body("cosmos-db/CosmosDBDatabaseAccountGet.json")
    listed = {k: body[k] for k in ("id", "name", "type", "location", "kind")}  # the generic resources list
    assert judge(CHECK, listed, BACKUP).status == Status.UNKNOWN
    del body["properties"]["backupPolicy"], body["properties"]["databaseAccountOfferType"]
    body["properties"]["locations"] = []
    assert judge(CHECK, body, BACKUP).status == Status.UNKNOWN
    policy = periodic("Geo")
    del policy["periodicModeProperties"]["backupStorageRedundancy"]
    result = judge(CHECK, account(backup=policy), BACKUP)
    assert result.status == Status.UNKNOWN
    assert "backupStorageRedundancy" in result.evidence["missing"]
    assert judge(CHECK, account(backup={"type": "Snapshot"}), BACKUP).status == Status.UNKNOWN
