from checks.machinelearning.storage_redundancy import MachineLearningStorageRedundancyCheck
from scanner.check import Status
from scanner.model import ReadGap
from tests.helpers import example_body, inventory, judge, zone

CHECK = MachineLearningStorageRedundancyCheck()


def workspace() -> dict:
    """testworkspace of Microsoft's listBySubscription example, linked to testStorageAccount."""
    return example_body("machinelearningservices/listBySubscription.json")["value"][0]


def linked_account(sku: str | None) -> dict:
    """StorageAccountGetProperties' account, moved to the id the workspace links to."""
    account = example_body("storage/StorageAccountGetProperties.json")
    account["id"] = workspace()["properties"]["storageAccount"]
    account["name"] = "testStorageAccount"
    if sku:
        account["sku"] = {"name": sku, "tier": sku.split("_")[0]}
    else:
        del account["sku"]
    return account


def verdict(ws: dict, *others: dict, strategy: str = "backup-restore", gaps=None, **zone_args):
    return judge(CHECK, ws, zone(strategy, **zone_args), inventory(ws, *others, gaps=gaps))


def test_geo_redundant_linked_account_passes():
    result = verdict(workspace(), linked_account("Standard_RAGRS"), strategy="warm-spare")
    assert result.status == Status.PASS
    assert result.evidence["storage_account"] == workspace()["properties"]["storageAccount"]


def test_locally_or_zone_redundant_linked_account_fails():
    for sku in ("Standard_LRS", "Standard_ZRS", "Premium_ZRS"):
        result = verdict(workspace(), linked_account(sku), strategy="hot-spare", rpo="15m", rto="1h")
        assert result.status == Status.FAIL, sku
        assert result.evidence["observed"] == sku
        assert result.requirement == "geo_redundancy=required (hot-spare default)"


def test_redeploy_zone_is_not_applicable():
    assert verdict(workspace(), linked_account("Standard_LRS"), strategy="redeploy").status == Status.NOT_APPLICABLE


def test_linked_account_outside_the_inventory_is_unknown():
    # The example's account is in another resource group the scan did not cover.
    result = verdict(workspace())
    assert result.status == Status.UNKNOWN
    assert "testStorageAccount" in result.evidence["missing"]


def test_linked_account_behind_a_read_gap_is_unknown_with_the_error():
    ws = workspace()
    rg = ws["properties"]["storageAccount"].split("/providers/")[0]
    gap = ReadGap(rg, "Microsoft.Storage/storageAccounts", "AuthorizationFailed", 403)
    result = verdict(ws, gaps=[gap])
    assert result.status == Status.UNKNOWN
    assert result.gap == gap


def test_linked_account_with_unreadable_sku_or_no_link_is_unknown():
    assert verdict(workspace(), linked_account(None)).status == Status.UNKNOWN
    ws = workspace()
    del ws["properties"]["storageAccount"]
    assert verdict(ws, linked_account("Standard_LRS")).status == Status.UNKNOWN


def test_hub_project_is_judged_by_its_hubs_account():
    hub = workspace()
    hub["kind"] = "Hub"
    project = example_body("machinelearningservices/listBySubscription.json")["value"][1]
    project["kind"] = "Project"
    del project["properties"]["storageAccount"]
    project["properties"]["hubResourceId"] = hub["id"]
    assert verdict(project, hub, linked_account("Standard_LRS")).status == Status.FAIL
    assert verdict(project, hub, linked_account("Standard_GZRS")).status == Status.PASS
