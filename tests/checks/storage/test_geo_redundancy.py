from checks.storage.geo_redundancy import StorageGeoRedundancyCheck
from scanner.check import Status
from tests.helpers import arm, example_body, judge, zone

CHECK = StorageGeoRedundancyCheck()


def account(sku: str | None) -> dict:
    body = example_body("storage/StorageAccountGetProperties.json")
    if sku:
        body["sku"] = {"name": sku, "tier": sku.split("_")[0]}
    else:
        del body["sku"]
    return body


def test_geo_redundant_account_passes():
    assert judge(CHECK, account("Standard_RAGZRS"), zone("backup-restore")).status == Status.PASS


def test_zone_redundant_only_account_fails_with_evidence():
    result = judge(CHECK, account("Premium_ZRS"), zone("hot-spare", rpo="15m", rto="1h"))
    assert result.status == Status.FAIL
    assert result.evidence["observed"] == "Premium_ZRS"
    assert "geo_redundancy=required" in result.requirement


def test_redeploy_zone_is_not_applicable_unless_overridden():
    assert judge(CHECK, account("Standard_LRS"), zone("redeploy")).status == Status.NOT_APPLICABLE
    overridden = zone("redeploy", requirements={"geo_redundancy": "required"})
    result = judge(CHECK, account("Standard_LRS"), overridden)
    assert result.status == Status.FAIL
    assert "zone override" in result.requirement


def test_missing_sku_is_unknown_not_pass():
    assert judge(CHECK, account(None), zone("warm-spare")).status == Status.UNKNOWN
    assert judge(CHECK, arm("Microsoft.Storage/storageAccounts", "x", sku={"name": "Weird"}),
                 zone()).status == Status.UNKNOWN
