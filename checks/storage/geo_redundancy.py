from __future__ import annotations

from checks.storage._replication import GEO_REDUNDANT, STORAGE_ACCOUNT, replication, sku_name
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource


class StorageGeoRedundancyCheck(Check):
    id = "STG-001"
    title = "Storage account keeps no copy outside its region"
    service = "Storage"
    resource_type = STORAGE_ACCOUNT
    severity = Severity.HIGH
    rationale = (
        "An LRS or ZRS account keeps every copy of its data in one region: a regional outage or "
        "disaster loses it. Where the landing zone requires geo-redundancy, the account must "
        "replicate to the paired region (GRS, RA-GRS, GZRS or RA-GZRS)."
    )
    guidance = (
        "Data Lake: If one of the Data Landing Zones requires geo-redundancy, with Data Lake Storage "
        "Gen2, it is recommended to geo-replicate your data via GRS or RA-GRS that satisfies your "
        "HA/DR requirements."
    )
    logic = {
        "redeploy": "not applicable unless the zone overrides geo_redundancy to required",
        "backup-restore": "fail on LRS or ZRS (Standard or Premium)",
        "warm-spare": "fail on LRS or ZRS (Standard or Premium)",
        "hot-spare": "fail on LRS or ZRS (Standard or Premium)",
    }
    remediation = Remediation(
        summary="Change the account's redundancy to GZRS or RA-GZRS (or GRS / RA-GRS where the region "
                "has no availability zones). Premium accounts cannot be geo-replicated: copy their data "
                "to a Standard geo-redundant account or to an account in the secondary region.",
        portal="Storage account > Data management > Redundancy > Geo-zone-redundant storage (GZRS).",
        cli="az storage account update -g <rg> -n <account> --sku Standard_RAGZRS",
        iac="Bicep: sku: { name: 'Standard_RAGZRS' }; Terraform: account_replication_type = \"RAGZRS\"",
    )
    references = (
        "https://learn.microsoft.com/azure/storage/common/storage-redundancy",
        "https://learn.microsoft.com/azure/storage/common/redundancy-migration",
    )

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if not zone.requirements.required("geo_redundancy"):
            return self.not_applicable(f"zone {zone.name} does not require geo-redundancy")
        kind = replication(resource)
        if kind is None:
            return self.unknown("sku.name (replication setting)")
        if kind in GEO_REDUNDANT:
            return self.passed(f"replicates to a secondary region ({sku_name(resource)})", observed=sku_name(resource))
        return self.failed(
            f"{sku_name(resource)} keeps all copies in {resource.location}; zone {zone.name} "
            f"({zone.strategy}) requires a copy in another region",
            observed=sku_name(resource),
            required="GRS, RA-GRS, GZRS or RA-GZRS",
            requirement=zone.requirement("geo_redundancy"),
        )
