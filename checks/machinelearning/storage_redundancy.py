from __future__ import annotations

from checks.storage._replication import GEO_REDUNDANT, STORAGE_ACCOUNT, replication, sku_name
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Inventory, Resource

ML_WORKSPACE = "Microsoft.MachineLearningServices/workspaces"


class MachineLearningStorageRedundancyCheck(Check):
    id = "ML-001"
    title = "Machine Learning workspace stores its artifacts in a single region"
    service = "Machine Learning"
    resource_type = ML_WORKSPACE
    severity = Severity.HIGH
    rationale = (
        "A Machine Learning workspace keeps datasets, registered models, run outputs, logs and code "
        "snapshots in its linked storage account. Azure Machine Learning does not replicate them: when "
        "that account is LRS or ZRS, a regional disaster loses every artifact of the workspace, and a "
        "workspace recreated in another region starts empty."
    )
    guidance = (
        "Azure Machine Learning: For an overview of High Availability with Azure Machine Learning, see "
        "Failover for business continuity and disaster recovery.\n\n"
        "Data Lake: If one of the Data Landing Zones requires geo-redundancy, [...] it is recommended to "
        "geo-replicate your data via GRS or RA-GRS that satisfies your HA/DR requirements."
    )
    logic = {
        "redeploy": "not applicable unless the zone overrides geo_redundancy to required",
        "backup-restore": "fail when the linked storage account is LRS or ZRS; unknown when it is not in the "
                          "inventory",
        "warm-spare": "fail when the linked storage account is LRS or ZRS; unknown when it is not in the inventory",
        "hot-spare": "fail when the linked storage account is LRS or ZRS; unknown when it is not in the inventory",
    }
    remediation = Remediation(
        summary="Change the linked storage account's redundancy to GZRS or RA-GZRS (GRS / RA-GRS where the "
                "region has no availability zones). The workspace keeps its linked account, so convert the "
                "account rather than relinking.",
        portal="Storage account linked to the workspace (Machine Learning workspace > Overview > Storage) > "
               "Data management > Redundancy > Geo-zone-redundant storage (GZRS).",
        cli="az storage account update --ids <properties.storageAccount of the workspace> --sku Standard_GZRS",
        iac="Bicep: the linked Microsoft.Storage/storageAccounts sku: { name: 'Standard_GZRS' }; Terraform: "
            "account_replication_type = \"GZRS\" on the account referenced by azurerm_machine_learning_workspace "
            "storage_account_id",
    )
    references = (
        "https://learn.microsoft.com/azure/machine-learning/how-to-high-availability-machine-learning",
        "https://learn.microsoft.com/azure/storage/common/redundancy-migration",
    )

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone, inventory = ctx.zone, ctx.inventory
        if not zone.requirements.required("geo_redundancy"):
            return self.not_applicable(f"zone {zone.name} does not require geo-redundancy")
        linked_id = linked_storage_id(resource, inventory)
        if not linked_id:
            return self.unknown("properties.storageAccount (the workspace's linked storage account)")
        account = inventory.get(linked_id)
        if account is None:
            return self.unknown(f"linked storage account {linked_id} (not in the inventory)",
                                inventory.gap(linked_id, STORAGE_ACCOUNT))
        kind = replication(account)
        if kind is None:
            return self.unknown(f"sku.name of linked storage account {account.name}")
        evidence = {"storage_account": account.id}
        if kind in GEO_REDUNDANT:
            return self.passed(f"artifacts are kept in {account.name} ({sku_name(account)}), replicated to a "
                               "secondary region", observed=sku_name(account), **evidence)
        return self.failed(
            f"linked storage account {account.name} is {sku_name(account)}: the workspace's datasets, models "
            f"and run history live only in {account.location}; zone {zone.name} ({zone.strategy}) requires a "
            "copy in another region",
            observed=sku_name(account),
            required="GRS, RA-GRS, GZRS or RA-GZRS",
            requirement=zone.requirement("geo_redundancy"),
            **evidence,
        )


def linked_storage_id(workspace: Resource, inventory: Inventory) -> str | None:
    """The workspace's storage account id; a hub-based project uses its hub's account."""
    linked = workspace.prop("storageAccount")
    if isinstance(linked, str) and linked.strip():
        return linked.strip()
    hub_id = workspace.prop("hubResourceId")
    hub = inventory.get(hub_id) if isinstance(hub_id, str) and hub_id else None
    linked = hub.prop("storageAccount") if hub else None
    return linked.strip() if isinstance(linked, str) and linked.strip() else None
