from checks.databricks.dbfs_storage_redundancy import DatabricksDbfsStorageRedundancyCheck
from scanner.check import Severity, Status
from scanner.model import ReadGap
from tests.checks.storage.builders import account
from tests.helpers import SUB, example_body, inventory, judge, zone

CHECK = DatabricksDbfsStorageRedundancyCheck()
MANAGED_RG = "databricks-rg-dbw-sales"
GROUP_ID = f"/subscriptions/{SUB}/resourceGroups/{MANAGED_RG}"


def workspace(sku: str | None = "Standard_GRS", account_name: str | None = "dbstoragex7k2", *,
              compute_mode: str = "Hybrid") -> dict:
    """WorkspaceGetParameters re-homed: its managed resource group, DBFS account name and SKU parameters."""
    body = example_body("databricks/WorkspaceGetParameters.json")
    body["id"] = f"/subscriptions/{SUB}/resourceGroups/rg-data/providers/Microsoft.Databricks/workspaces/dbw-sales"
    body["name"] = "dbw-sales"
    props = body["properties"]
    props["computeMode"] = compute_mode
    props["managedResourceGroupId"] = GROUP_ID
    if sku:
        props["parameters"]["storageAccountSkuName"] = {"type": "String", "value": sku}
    if account_name:
        props["parameters"]["storageAccountName"] = {"type": "String", "value": account_name}
    return body


def managed_account(sku: str, name: str = "dbstoragex7k2") -> dict:
    return account(name, sku, rg=MANAGED_RG, hns=None)


GROUP = {"id": GROUP_ID, "name": MANAGED_RG, "location": "westeurope", "tags": {"application": "databricks"}}


def verdict(ws: dict, *docs: dict, strategy: str = "backup-restore", gaps=None, groups=(GROUP,)):
    return judge(CHECK, ws, zone(strategy), inventory(ws, *docs, gaps=gaps, resource_groups=list(groups)))


def test_the_managed_account_is_judged_when_read_and_a_stale_parameter_is_named():
    result = verdict(workspace("Standard_GRS"), managed_account("Standard_LRS"), strategy="hot-spare")
    assert result.status == Status.FAIL
    assert result.severity == Severity.HIGH
    assert result.evidence["observed"] == "Standard_LRS"
    assert result.evidence["source"] == "the managed storage account"
    assert "parameter storageAccountSkuName still says Standard_GRS" in result.evidence["detail"]
    passed = verdict(workspace("Standard_LRS"), managed_account("Standard_RAGZRS"))
    assert passed.status == Status.PASS and passed.evidence["source"] == "the managed storage account"


def test_without_the_name_parameter_the_only_account_of_the_group_is_the_dbfs_root():
    assert verdict(workspace("Standard_GRS", None), managed_account("Standard_ZRS")).status == Status.FAIL


def test_the_parameter_is_used_when_the_group_is_outside_the_scan():
    result = verdict(workspace("Standard_LRS"), groups=())
    assert result.status == Status.FAIL
    assert result.evidence["source"] == "the workspace parameter storageAccountSkuName"
    assert "outside the scan" in result.evidence["detail"]
    assert verdict(workspace("Standard_GRS"), groups=()).status == Status.PASS


def test_the_parameter_is_used_when_the_accounts_could_not_be_read():
    gap = ReadGap(GROUP_ID, "Microsoft.Storage/storageAccounts", "AuthorizationFailed", 403)
    result = verdict(workspace("Standard_GRS"), gaps=[gap])
    assert result.status == Status.PASS
    assert "could not be read (AuthorizationFailed)" in result.evidence["detail"]


def test_neither_account_nor_parameter_is_unknown():
    gap = ReadGap(GROUP_ID, "Microsoft.Storage/storageAccounts", "HTTP 429 (retries exhausted)", 429)
    result = verdict(workspace(None), gaps=[gap])
    assert result.status == Status.UNKNOWN and result.gap == gap
    listed = example_body("databricks/WorkspacesListBySubscription.json")["value"][0]  # parameters: null
    assert judge(CHECK, listed, zone()).status == Status.UNKNOWN


def test_serverless_workspaces_and_zones_without_geo_requirement_are_not_applicable():
    assert verdict(workspace(compute_mode="Serverless")).status == Status.NOT_APPLICABLE
    assert verdict(workspace("Standard_LRS"), strategy="redeploy").status == Status.NOT_APPLICABLE
