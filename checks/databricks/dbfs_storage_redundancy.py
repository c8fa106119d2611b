from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from checks.storage._replication import GEO_REDUNDANT, KNOWN, STORAGE_ACCOUNT, sku_name
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Inventory, ReadGap, Resource, resource_group_of

WORKSPACE = "Microsoft.Databricks/workspaces"
# The workspace parameter storageAccountSkuName ("Storage account SKU name, ex: Standard_GRS,
# Standard_LRS"; Standard_GRS when not given) is set at creation; the account in the managed resource
# group can be converted directly afterwards, so the parameter may no longer describe it.
TEMPLATE_DOC = "https://learn.microsoft.com/azure/templates/microsoft.databricks/workspaces"
DR_DOC = "https://learn.microsoft.com/azure/databricks/scenarios/howto-regional-disaster-recovery"
DBFS_DOC = "https://learn.microsoft.com/azure/databricks/dbfs/"


@dataclass(frozen=True)
class Evidence:
    """The SKU to judge and where it came from."""

    sku: str | None
    source: str
    detail: str
    gap: ReadGap | None = None


class DatabricksDbfsStorageRedundancyCheck(Check):
    id = "DBW-001"
    title = "Databricks workspace storage keeps one region"
    service = "Databricks"
    resource_type = WORKSPACE
    severity = Severity.HIGH
    rationale = (
        "A classic Databricks workspace keeps its DBFS root (libraries, init scripts, job results, the data of "
        "tables written to DBFS) in a storage account Azure creates in the workspace's managed resource group. "
        "Its redundancy is the workspace parameter storageAccountSkuName, Standard_GRS unless set otherwise at "
        "creation; the account itself can be converted later, so the account is judged when it can be read and "
        "the parameter only otherwise. Serverless workspaces have no DBFS root account."
    )
    guidance = (
        "Azure Databricks: For an overview of a disaster recovery architecture useful for Azure Databricks "
        "clusters, and the steps to accomplish that design see Regional disaster recovery for Azure Databricks "
        "clusters.\n\n"
        "Data Lake: If one of the Data Landing Zones requires geo-redundancy, [...] it is recommended to "
        "geo-replicate your data via GRS or RA-GRS that satisfies your HA/DR requirements."
    )
    logic = {
        "redeploy": "not applicable unless the zone overrides geo_redundancy to required",
        "backup-restore": "fail when the managed (DBFS root) storage account is LRS or ZRS: the account's SKU when "
                          "the scan read it, else the workspace parameter storageAccountSkuName (the evidence says "
                          "which); not applicable to Serverless workspaces; unknown when neither is known",
        "warm-spare": "as backup-restore",
        "hot-spare": "as backup-restore",
    }
    remediation = Remediation(
        summary="Convert the workspace's managed storage account to GRS or GZRS (RA- variants too). The account "
                "sits in the workspace's managed resource group, under a deny assignment: change its redundancy "
                "through the workspace parameter storageAccountSkuName, or ask Microsoft support to convert it.",
        portal="Databricks workspace > Overview > Managed Resource Group > the dbstorage account > Data "
               "management > Redundancy (if the deny assignment allows), or redeploy the workspace with "
               "storageAccountSkuName Standard_GZRS.",
        cli="az databricks workspace update -g <rg> -n <workspace> --storage-account-sku-name Standard_GZRS",
        iac="Bicep: Microsoft.Databricks/workspaces properties.parameters.storageAccountSkuName: { value: "
            "'Standard_GZRS' }; Terraform: azurerm_databricks_workspace custom_parameters { storage_account_sku_name "
            "= \"Standard_GZRS\" }",
    )
    references = (TEMPLATE_DOC, DBFS_DOC, DR_DOC)

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if not zone.requirements.required("geo_redundancy"):
            return self.not_applicable(f"zone {zone.name} does not require geo-redundancy")
        if str(resource.prop("computeMode") or "").lower() == "serverless":
            return self.not_applicable("Serverless workspace: it has no DBFS root storage account")
        found = dbfs_storage(resource, ctx.inventory)
        if found.sku is None:
            return self.unknown(f"the DBFS root storage account ({found.detail})", found.gap)
        kind = found.sku.split("_", 1)[-1].upper()
        if kind not in KNOWN:
            return self.unknown(f"a known storage SKU ({found.source} says {found.sku!r})")
        evidence: dict[str, Any] = {"source": found.source, "detail": found.detail}
        if kind in GEO_REDUNDANT:
            return self.passed(f"DBFS root storage is {found.sku} ({found.source}), replicated to a secondary "
                               "region", observed=found.sku, **evidence)
        return self.failed(
            f"the DBFS root storage of workspace {resource.name} is {found.sku} ({found.source}): it keeps one "
            f"region; zone {zone.name} ({zone.strategy}) requires a copy in another region",
            observed=found.sku,
            required="GRS, RA-GRS, GZRS or RA-GZRS",
            requirement=zone.requirement("geo_redundancy"),
            **evidence,
        )


def dbfs_storage(workspace: Resource, inventory: Inventory) -> Evidence:
    """The managed account's SKU when the scan read it, else the workspace parameter, with the reason."""
    group = workspace.prop("managedResourceGroupId")
    group = group.rstrip("/") if isinstance(group, str) and group.strip() else None
    parameter = _parameter(workspace, "storageAccountSkuName")
    account, why_not = _managed_account(workspace, group, inventory)
    if account is not None:
        detail = f"account {account.id}"
        if parameter and sku_name(account) and parameter.lower() != str(sku_name(account)).lower():
            detail += f" (the workspace parameter storageAccountSkuName still says {parameter})"
        return Evidence(sku_name(account), "the managed storage account", detail)
    if parameter:
        return Evidence(parameter, "the workspace parameter storageAccountSkuName",
                        f"the managed storage account was not read: {why_not}")
    gap = inventory.gap(group, STORAGE_ACCOUNT) if group else None
    return Evidence(None, "", f"{why_not}; the workspace reports no storageAccountSkuName parameter", gap)


def _managed_account(workspace: Resource, group: str | None,
                     inventory: Inventory) -> tuple[Resource | None, str]:
    """The DBFS root account in the managed resource group, or None and why it is not in the inventory."""
    if group is None:
        return None, "the workspace reports no managedResourceGroupId"
    name = _parameter(workspace, "storageAccountName")
    in_group = inventory.derived("DBW-001:accounts-by-group", _accounts_by_group).get(group.lower(), [])
    named = [a for a in in_group if a.name.lower() == name.lower()] if name else in_group
    if len(named) == 1:
        return named[0], ""
    gap = inventory.gap(group, STORAGE_ACCOUNT)
    label = _group_name(group)
    if gap is not None:
        return None, f"the storage accounts of {label} could not be read ({gap.error})"
    if group.lower() not in inventory.derived("DBW-001:groups", _listed_groups):
        return None, f"managed resource group {label} is outside the scan"
    if not name and in_group:
        return None, (f"{len(in_group)} storage accounts in {label} and no storageAccountName parameter to tell "
                      "them apart")
    return None, f"no storage account {name + ' ' if name else ''}found in managed resource group {label}"


def _accounts_by_group(inventory: Inventory) -> dict[str, list[Resource]]:
    index: dict[str, list[Resource]] = defaultdict(list)
    for account in inventory.of_type(STORAGE_ACCOUNT):
        sub, group = account.subscription_id, account.resource_group
        if sub and group:
            index[f"/subscriptions/{sub}/resourcegroups/{group.lower()}"].append(account)
    return index


def _listed_groups(inventory: Inventory) -> set[str]:
    return {str(rg.get("id", "")).lower().rstrip("/") for rg in inventory.resource_groups}


def _parameter(workspace: Resource, name: str) -> str | None:
    parameters = workspace.prop("parameters")
    entry = parameters.get(name) if isinstance(parameters, Mapping) else None
    value = entry.get("value") if isinstance(entry, Mapping) else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def _group_name(group: str) -> str:
    return resource_group_of(group) or group
