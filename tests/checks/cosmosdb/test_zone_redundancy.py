from checks.cosmosdb.zone_redundancy import CosmosZoneRedundancyCheck
from scanner.check import Status
from tests.checks.cosmosdb.builders import account
from tests.helpers import example_body, inventory, judge, zone

CHECK = CosmosZoneRedundancyCheck()
HOT = zone("hot-spare", rpo="15m", rto="1h")


def test_zone_redundant_in_every_region_passes():
    body = account((("West Europe", True), ("North Europe", True)), multi_write=True)
    assert judge(CHECK, body, HOT).status == Status.PASS


def test_fails_and_lists_the_regions_that_are_not_zone_redundant():
    body = account((("West Europe", True), ("North Europe", False)))
    result = judge(CHECK, body, HOT)
    assert result.status == Status.FAIL
    assert result.evidence["regions_not_zone_redundant"] == ["northeurope"]
    assert result.evidence["observed"] == {"westeurope": True, "northeurope": False}
    assert result.requirement == "zone_redundancy=required (hot-spare default)"


def test_microsofts_example_fails_in_both_regions():
    result = judge(CHECK, example_body("cosmos-db/CosmosDBDatabaseAccountCreateMax.json"), HOT)
    assert result.status == Status.FAIL
    assert result.evidence["regions_not_zone_redundant"] == ["southcentralus", "eastus"]


def test_regions_without_availability_zones_are_not_judged():
    body = account((("Germany West Central", True), ("Germany North", False)))
    result = judge(CHECK, body, HOT, inventory(body))
    assert result.status == Status.PASS
    assert result.evidence["regions_without_availability_zones"] == ["germanynorth"]
    failing = account((("Germany West Central", False), ("Germany North", False)))
    result = judge(CHECK, failing, HOT)
    assert result.status == Status.FAIL
    assert result.evidence["regions_not_zone_redundant"] == ["germanywestcentral"]
    only_without = account((("Germany North", False),))
    assert judge(CHECK, only_without, HOT).status == Status.NOT_APPLICABLE


def test_a_region_with_no_metadata_is_unknown_not_judged():
    body = account((("West Europe", True), ("Contoso Central", False)))
    result = judge(CHECK, body, HOT)
    assert result.status == Status.UNKNOWN
    assert "contosocentral" in result.evidence["missing"]


def test_not_applicable_where_zone_redundancy_is_optional():
    body = account((("West Europe", False),))
    assert judge(CHECK, body, zone("warm-spare")).status == Status.NOT_APPLICABLE
    required = zone("backup-restore", requirements={"zone_redundancy": "required"})
    assert judge(CHECK, body, required).status == Status.FAIL


def test_unreported_zone_redundancy_is_unknown_not_pass():
    # Microsoft's GET example leaves isZoneRedundant out of its location.
    result = judge(CHECK, example_body("cosmos-db/CosmosDBDatabaseAccountGet.json"), HOT)
    assert result.status == Status.UNKNOWN
    assert "eastus" in result.evidence["missing"]
    partly = account((("West Europe", True), ("North Europe", None)))
    assert judge(CHECK, partly, HOT).status == Status.UNKNOWN


def test_a_known_gap_in_one_region_does_not_hide_a_failure_in_another():
    body = account((("West Europe", False), ("North Europe", None)))
    result = judge(CHECK, body, HOT)
    assert result.status == Status.FAIL
    assert result.evidence["regions_not_reported"] == ["northeurope"]
