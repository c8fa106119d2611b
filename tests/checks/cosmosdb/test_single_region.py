from checks.cosmosdb.single_region import CosmosSingleRegionCheck
from scanner.check import Status
from tests.checks.cosmosdb.builders import account
from tests.helpers import example_body, judge, zone

CHECK = CosmosSingleRegionCheck()
WARM = zone("warm-spare", rpo="4h", rto="8h", primary_region="westeurope", secondary_region="northeurope")


def test_account_with_a_read_region_passes():
    result = judge(CHECK, account((("West Europe", True), ("North Europe", True))), WARM)
    assert result.status == Status.PASS
    assert result.evidence["observed"] == ["westeurope", "northeurope"]


def test_microsofts_multi_region_example_passes_in_hot_spare():
    body = example_body("cosmos-db/CosmosDBDatabaseAccountCreateMax.json")
    assert judge(CHECK, body, zone("hot-spare", rpo="15m", rto="1h")).status == Status.PASS


def test_single_region_get_example_fails_in_warm_spare_with_evidence():
    body = example_body("cosmos-db/CosmosDBDatabaseAccountGet.json")
    result = judge(CHECK, body, WARM)
    assert result.status == Status.FAIL
    assert result.evidence["observed"] == ["eastus"]
    assert result.evidence["secondary_region"] == "northeurope"
    assert result.requirement == "geo_redundancy=required (warm-spare default)"
    assert "northeurope" in result.message


def test_the_same_region_listed_twice_is_still_one_region():
    body = account((("West Europe", True), ("westeurope", True)))
    assert judge(CHECK, body, zone("hot-spare", rpo="15m", rto="1h")).status == Status.FAIL


def test_backup_restore_and_redeploy_zones_are_not_applicable():
    single = account()
    assert judge(CHECK, single, zone("backup-restore")).status == Status.NOT_APPLICABLE
    overridden = zone("redeploy", requirements={"geo_redundancy": "required"})
    assert judge(CHECK, single, overridden).status == Status.NOT_APPLICABLE


def test_warm_spare_that_waives_geo_redundancy_is_not_applicable():
    waived = zone("warm-spare", requirements={"geo_redundancy": "optional"})
    assert judge(CHECK, account(), waived).status == Status.NOT_APPLICABLE


def test_document_without_locations_is_unknown_not_pass():
    listed = example_body("cosmos-db/CosmosDBDatabaseAccountList.json")["value"][0]
    del listed["properties"]["locations"]
    result = judge(CHECK, listed, WARM)
    assert result.status == Status.UNKNOWN
    assert "locations" in result.evidence["missing"]
    empty = account()
    empty["properties"]["locations"] = []
    assert judge(CHECK, empty, WARM).status == Status.UNKNOWN
