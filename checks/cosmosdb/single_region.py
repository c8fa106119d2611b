from __future__ import annotations

from checks.cosmosdb._account import (
    DATABASE_ACCOUNT,
    GUIDANCE_SECTION,
    HIGH_AVAILABILITY_DOC,
    HOT_SPARE,
    RELIABILITY_DOC,
    WARM_SPARE,
    read_gap,
    region_names,
    regions,
)
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource
from scanner.policy import Strategy


class CosmosSingleRegionCheck(Check):
    id = "COS-001"
    title = "Cosmos DB account runs in a single region"
    service = "Cosmos DB"
    resource_type = DATABASE_ACCOUNT
    severity = Severity.HIGH
    rationale = (
        "A Cosmos DB account replicates only to the regions listed in its locations. With one region, "
        "a regional outage takes the data offline and only a restore from backup (hours, with data loss) "
        "brings it back. A warm or hot spare needs a live replica in another region to fail over to."
    )
    guidance = f"{GUIDANCE_SECTION}\n\n{WARM_SPARE}\n\n{HOT_SPARE}"
    logic = {
        "redeploy": "not applicable",
        "backup-restore": "not applicable (geo-redundant backups are judged by COS-005)",
        "warm-spare": "fail when properties.locations holds one distinct region (and geo_redundancy is required)",
        "hot-spare": "fail when properties.locations holds one distinct region (and geo_redundancy is required)",
    }
    remediation = Remediation(
        summary="Add a read region, preferably the zone's secondary region, to the account. Adding a region "
                "is online; the account replicates all data to it before the region becomes available.",
        portal="Azure Cosmos DB account > Settings > Replicate data globally > + Add region > Save.",
        cli="az cosmosdb update -g <rg> -n <account> --locations regionName=westeurope failoverPriority=0 "
            "isZoneRedundant=true --locations regionName=northeurope failoverPriority=1 isZoneRedundant=true",
        iac="Bicep: properties.locations: [{ locationName: 'westeurope', failoverPriority: 0 }, "
            "{ locationName: 'northeurope', failoverPriority: 1 }]; Terraform (azurerm_cosmosdb_account): a second "
            "geo_location { location = \"northeurope\", failover_priority = 1 } block",
    )
    references = (
        HIGH_AVAILABILITY_DOC,
        "https://learn.microsoft.com/azure/cosmos-db/how-to-manage-database-account",
        RELIABILITY_DOC,
    )

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if not zone.strategy.at_least(Strategy.WARM_SPARE):
            return self.not_applicable(f"zone {zone.name} ({zone.strategy}) does not keep a live copy in another "
                                       "region; backup redundancy is judged by COS-005")
        if not zone.requirements.required("geo_redundancy"):
            return self.not_applicable(f"zone {zone.name} overrides geo_redundancy to optional")
        found = regions(resource)
        if found is None:
            return self.unknown("properties.locations (the account's regions)", read_gap(resource, ctx.inventory))
        names = region_names(found)
        if len(names) > 1:
            return self.passed(f"replicates to {len(names)} regions ({', '.join(names)})", observed=names)
        return self.failed(
            f"all data lives in {names[0]} only; zone {zone.name} ({zone.strategy}) requires a live copy in "
            f"another region{_suggest(zone.secondary_region, names[0])}",
            observed=names,
            required="at least two regions in properties.locations",
            requirement=zone.requirement("geo_redundancy"),
            secondary_region=zone.secondary_region,
        )


def _suggest(secondary: str | None, current: str) -> str:
    return f" (the zone's secondary region is {secondary})" if secondary and secondary != current else ""
