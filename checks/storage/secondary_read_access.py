from __future__ import annotations

from checks.storage._replication import GEO_REDUNDANT, READ_ACCESS, STORAGE_ACCOUNT, replication, sku_name
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource
from scanner.policy import Strategy


class StorageSecondaryReadAccessCheck(Check):
    id = "STG-003"
    title = "Hot-spare storage account cannot read its secondary region"
    service = "Storage"
    resource_type = STORAGE_ACCOUNT
    severity = Severity.MEDIUM
    rationale = (
        "With GRS or GZRS the copy in the secondary region cannot be read until the account is failed over, "
        "which takes time and changes the account's primary. A hot-spare (active/active) landing zone serves "
        "load from both regions and must keep reading when the primary is down, which needs read access to "
        "the secondary endpoint (RA-GRS or RA-GZRS)."
    )
    guidance = (
        "Hot Spare (Active/Active): The application is designed to receive production load in multiple "
        "regions. [...] When building a plan for HA, in the event of a service interruption the workload "
        "needs access to the latest data as quickly as possible by switching over to a separately replicated "
        "instance locally or in a new region."
    )
    logic = {
        "redeploy": "not applicable",
        "backup-restore": "not applicable",
        "warm-spare": "not applicable (reading the secondary is not part of an active/passive design)",
        "hot-spare": "fail on GRS or GZRS; pass on RA-GRS or RA-GZRS; not applicable to accounts that are not "
                     "geo-replicated (STG-001 reports those)",
    }
    remediation = Remediation(
        summary="Enable read access to the secondary region (RA-GRS / RA-GZRS) and point readers at the "
                "secondary endpoint (<account>-secondary) when the primary fails.",
        portal="Storage account > Data management > Redundancy > enable 'Make read access data available in "
               "the event of regional unavailability'.",
        cli="az storage account update --resource-group <rg> --name <account> --sku Standard_RAGZRS",
        iac="Bicep: sku: { name: 'Standard_RAGZRS' } (or 'Standard_RAGRS'); Terraform: "
            "account_replication_type = \"RAGZRS\"",
    )
    references = (
        "https://learn.microsoft.com/azure/storage/common/storage-redundancy#read-access-to-data-in-the-secondary-region",
        "https://learn.microsoft.com/azure/storage/common/geo-redundant-design",
    )

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if zone.strategy != Strategy.HOT_SPARE:
            return self.not_applicable(f"zone {zone.name} is {zone.strategy}, not hot-spare")
        kind = replication(resource)
        if kind is None:
            return self.unknown("sku.name (replication setting)")
        if kind not in GEO_REDUNDANT:
            return self.not_applicable(f"{sku_name(resource)} is not geo-replicated (STG-001 judges that)")
        if kind in READ_ACCESS:
            return self.passed(f"the secondary region is readable ({sku_name(resource)})", observed=sku_name(resource))
        return self.failed(
            f"{sku_name(resource)} replicates {resource.name} to the secondary region but nothing can read it "
            f"there until a failover; zone {zone.name} is hot-spare (active/active) and needs a readable "
            "secondary",
            observed=sku_name(resource),
            required="RA-GRS or RA-GZRS (read access to the secondary region)",
            requirement="read access to the secondary region (hot-spare: active/active, the secondary copy serves "
                        "reads)",
        )
