from checks.cosmosdb.service_managed_failover import CosmosServiceManagedFailoverCheck
from scanner.check import Severity, Status
from scanner.model import ReadGap
from tests.checks.cosmosdb.builders import account
from tests.helpers import example_body, inventory, judge, zone

CHECK = CosmosServiceManagedFailoverCheck()
HOT = zone("hot-spare", rpo="15m", rto="1h")
WARM = zone("warm-spare", rpo="4h", rto="8h")
TWO_REGIONS = (("West Europe", True), ("North Europe", True))


def test_single_write_account_with_service_managed_failover_passes():
    body = account(TWO_REGIONS, multi_write=False, automatic_failover=True)
    result = judge(CHECK, body, HOT)
    assert result.status == Status.PASS
    assert result.evidence["observed"] is True


def test_hot_spare_without_failover_fails_high_and_names_the_write_region():
    body = account(TWO_REGIONS, multi_write=False, automatic_failover=False)
    result = judge(CHECK, body, HOT)
    assert result.status == Status.FAIL
    assert result.severity == Severity.HIGH
    assert result.evidence["observed"] is False
    assert result.evidence["write_region"] == "westeurope"
    assert result.requirement == "automatic_failover=required (hot-spare default)"


def test_warm_spare_without_failover_fails_low():
    body = account(TWO_REGIONS, multi_write=False, automatic_failover=False)
    result = judge(CHECK, body, WARM)
    assert (result.status, result.severity) == (Status.FAIL, Severity.LOW)


def test_flags_missing_from_microsofts_example_read_as_their_default_and_say_so():
    # The CreateMax example has two regions and reports neither enableAutomaticFailover nor
    # enableMultipleWriteLocations: both default to false.
    body = example_body("cosmos-db/CosmosDBDatabaseAccountCreateMax.json")
    result = judge(CHECK, body, HOT)
    assert result.status == Status.FAIL
    assert "defaults to false" in result.evidence["observed"]


def test_not_applicable_to_single_region_multi_write_and_backup_zones():
    single = account(automatic_failover=False)
    assert judge(CHECK, single, HOT).status == Status.NOT_APPLICABLE
    multi_write = account(TWO_REGIONS, multi_write=True, automatic_failover=False)
    assert judge(CHECK, multi_write, HOT).status == Status.NOT_APPLICABLE
    single_write = account(TWO_REGIONS, multi_write=False, automatic_failover=False)
    assert judge(CHECK, single_write, zone("backup-restore")).status == Status.NOT_APPLICABLE
    assert judge(CHECK, single_write, zone("redeploy")).status == Status.NOT_APPLICABLE


def test_unread_account_is_unknown_and_carries_the_read_error():
    listed = example_body("cosmos-db/CosmosDBDatabaseAccountList.json")["value"][0]
    listed["properties"] = None
    gap = ReadGap(listed["id"], "Microsoft.DocumentDB/databaseAccounts", "AuthorizationFailed", 403)
    result = judge(CHECK, listed, HOT, inventory(listed, gaps=[gap]))
    assert result.status == Status.UNKNOWN
    assert result.gap == gap
    assert result.evidence["read_error"] == "AuthorizationFailed"
