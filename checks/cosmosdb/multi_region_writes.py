from __future__ import annotations

from checks.cosmosdb._account import (
    DATABASE_ACCOUNT,
    GUIDANCE_SECTION,
    HIGH_AVAILABILITY_DOC,
    HOT_SPARE,
    flag,
    read_gap,
    region_names,
    regions,
)
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource


class CosmosMultiRegionWritesCheck(Check):
    id = "COS-003"
    title = "Cosmos DB account accepts writes in one region only"
    service = "Cosmos DB"
    resource_type = DATABASE_ACCOUNT
    severity = Severity.MEDIUM
    rationale = (
        "An active/active workload writes in every region it serves from. A single-write account sends all "
        "writes to one region: the other regions cannot take production write load, and a write-region "
        "outage interrupts writes for the failover time. Multi-region writes give every region a write "
        "endpoint and the highest availability SLA Cosmos DB offers."
    )
    guidance = f"{GUIDANCE_SECTION}\n\n{HOT_SPARE}"
    logic = {
        "redeploy": "not applicable unless the zone overrides multi_region_writes to required",
        "backup-restore": "not applicable unless the zone overrides multi_region_writes to required",
        "warm-spare": "not applicable unless the zone overrides multi_region_writes to required",
        "hot-spare": "fail when enableMultipleWriteLocations is not true",
    }
    remediation = Remediation(
        summary="Enable multi-region writes and choose a conflict-resolution policy for each container; the "
                "application must use a multi-region-aware SDK configuration (preferred regions).",
        portal="Azure Cosmos DB account > Settings > Replicate data globally > Multi-region writes > Enable > Save.",
        cli="az cosmosdb update -g <rg> -n <account> --enable-multiple-write-locations true",
        iac="Bicep: properties.enableMultipleWriteLocations: true; Terraform (azurerm_cosmosdb_account): "
            "multiple_write_locations_enabled = true (enable_multiple_write_locations before azurerm 4.0)",
    )
    references = (
        HIGH_AVAILABILITY_DOC,
        "https://learn.microsoft.com/azure/cosmos-db/nosql/how-to-multi-master",
        "https://learn.microsoft.com/azure/cosmos-db/conflict-resolution-policies",
    )

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if not zone.requirements.required("multi_region_writes"):
            return self.not_applicable(f"zone {zone.name} ({zone.strategy}) does not require multi-region writes")
        found = regions(resource)
        if found is None and not isinstance(resource.prop("enableMultipleWriteLocations"), bool):
            # Without locations the document was not read in full: the flag's absence proves nothing.
            return self.unknown("properties.locations and enableMultipleWriteLocations",
                                read_gap(resource, ctx.inventory))
        names = region_names(found) if found else []
        multi_write, observed = flag(resource, "enableMultipleWriteLocations")
        if multi_write:
            return self.passed(f"multi-region writes are enabled ({', '.join(names) or 'regions not reported'})",
                               observed=observed, regions=names)
        write_region = names[0] if names else (resource.location or "one region")
        return self.failed(
            f"only {write_region} accepts writes; zone {zone.name} ({zone.strategy}) serves write load from "
            "every region",
            observed=observed,
            required="enableMultipleWriteLocations true",
            requirement=zone.requirement("multi_region_writes"),
            regions=names,
        )
