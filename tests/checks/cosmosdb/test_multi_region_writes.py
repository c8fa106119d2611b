from checks.cosmosdb.multi_region_writes import CosmosMultiRegionWritesCheck
from scanner.check import Severity, Status
from tests.checks.cosmosdb.builders import account
from tests.helpers import example_body, judge, zone

CHECK = CosmosMultiRegionWritesCheck()
HOT = zone("hot-spare", rpo="15m", rto="1h")
TWO_REGIONS = (("West Europe", True), ("North Europe", True))


def test_multi_write_account_passes_in_hot_spare():
    result = judge(CHECK, account(TWO_REGIONS, multi_write=True, automatic_failover=True), HOT)
    assert result.status == Status.PASS
    assert result.evidence["regions"] == ["westeurope", "northeurope"]


def test_single_write_account_fails_in_hot_spare():
    result = judge(CHECK, account(TWO_REGIONS, multi_write=False, automatic_failover=True), HOT)
    assert result.status == Status.FAIL
    assert result.severity == Severity.MEDIUM
    assert result.evidence["observed"] is False
    assert result.requirement == "multi_region_writes=required (hot-spare default)"


def test_unreported_flag_is_not_true_so_the_example_fails():
    result = judge(CHECK, example_body("cosmos-db/CosmosDBDatabaseAccountCreateMax.json"), HOT)
    assert result.status == Status.FAIL
    assert "not reported" in result.evidence["observed"]


def test_not_applicable_where_multi_region_writes_are_optional():
    body = account(TWO_REGIONS, multi_write=False)
    assert judge(CHECK, body, zone("warm-spare")).status == Status.NOT_APPLICABLE
    opted_out = zone("hot-spare", rpo="15m", rto="1h", requirements={"multi_region_writes": "optional"})
    assert judge(CHECK, body, opted_out).status == Status.NOT_APPLICABLE
    opted_in = zone("warm-spare", requirements={"multi_region_writes": "required"})
    assert judge(CHECK, body, opted_in).status == Status.FAIL


def test_document_without_properties_is_unknown():
    listed = example_body("cosmos-db/CosmosDBDatabaseAccountList.json")["value"][0]
    del listed["properties"]
    assert judge(CHECK, listed, HOT).status == Status.UNKNOWN


def test_a_stated_flag_is_judged_even_when_locations_are_missing():
    # The flag is all COS-003 needs: stated false it fails, whatever else the document lacks.
    doc = account(TWO_REGIONS, multi_write=False, automatic_failover=True)
    del doc["properties"]["locations"]
    result = judge(CHECK, doc, HOT)
    assert result.status == Status.FAIL
    assert "westeurope" in result.message
    doc["properties"]["enableMultipleWriteLocations"] = True
    assert judge(CHECK, doc, HOT).status == Status.PASS
    del doc["properties"]["enableMultipleWriteLocations"]
    assert judge(CHECK, doc, HOT).status == Status.UNKNOWN
