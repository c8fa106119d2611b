from __future__ import annotations

from checks.cosmosdb._account import (
    DATABASE_ACCOUNT,
    GUIDANCE_SECTION,
    HIGH_AVAILABILITY_DOC,
    RELIABILITY_DOC,
    AccountRegion,
    read_gap,
    regions,
)
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Inventory, Resource


class CosmosZoneRedundancyCheck(Check):
    id = "COS-004"
    title = "Cosmos DB region without availability-zone redundancy"
    service = "Cosmos DB"
    resource_type = DATABASE_ACCOUNT
    severity = Severity.MEDIUM
    rationale = (
        "Without zone redundancy a Cosmos DB region keeps its replicas in one availability zone: a zone "
        "outage takes that region down and forces a regional failover (or, for the write region of a "
        "single-write account, a write outage). Zone-redundant regions ride out a zone failure with no "
        "failover and no data loss. Zone redundancy is set per region and only when the region is added."
    )
    guidance = (
        f"{GUIDANCE_SECTION}\n\n"
        "An issue could be localized to the specific instance or even region-wide, so having a plan for both "
        "is important."
    )
    logic = {
        "redeploy": "not applicable unless the zone overrides zone_redundancy to required",
        "backup-restore": "not applicable unless the zone overrides zone_redundancy to required",
        "warm-spare": "not applicable unless the zone overrides zone_redundancy to required",
        "hot-spare": "fail when any region in properties.locations that has availability zones has isZoneRedundant "
                     "false; regions without availability zones are not judged (not applicable when the account has "
                     "no other); unknown for a region that is not known",
    }
    remediation = Remediation(
        summary="Zone redundancy cannot be switched on for a region already in the account: add a new region "
                "with zone redundancy, or remove the region and add it back with zone redundancy (for the "
                "write region, fail over to another region first). Regions without availability zones cannot "
                "be zone redundant; use one that has them.",
        portal="Azure Cosmos DB account > Settings > Replicate data globally > remove the region, Save; then "
               "+ Add region with Availability Zones enabled > Save.",
        cli="az cosmosdb update -g <rg> -n <account> --locations regionName=westeurope failoverPriority=0 "
            "isZoneRedundant=true --locations regionName=northeurope failoverPriority=1 isZoneRedundant=true",
        iac="Bicep: isZoneRedundant: true on each entry of properties.locations; Terraform "
            "(azurerm_cosmosdb_account): zone_redundant = true in each geo_location block",
    )
    references = (
        HIGH_AVAILABILITY_DOC,
        RELIABILITY_DOC,
        "https://learn.microsoft.com/azure/cosmos-db/how-to-manage-database-account",
    )

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if not zone.requirements.required("zone_redundancy"):
            return self.not_applicable(f"zone {zone.name} ({zone.strategy}) does not require zone redundancy")
        found = regions(resource)
        if found is None:
            return self.unknown("properties.locations (the account's regions)", read_gap(resource, ctx.inventory))
        no_zones, unknown_regions = _zone_support(found, ctx.inventory)
        judged = [r for r in found if r.name not in no_zones]
        if not judged:
            return self.not_applicable(f"none of the account's regions has availability zones ({', '.join(no_zones)}): "
                                       "zone redundancy cannot be configured there")
        not_redundant = [r.name for r in judged if r.zone_redundant is False]
        lacking = [name for name in not_redundant if name not in unknown_regions]
        undetermined = [name for name in not_redundant if name in unknown_regions]
        unreported = [r.name for r in judged if r.zone_redundant is None]
        skipped = {"regions_without_availability_zones": no_zones} if no_zones else {}
        if lacking:
            return self.failed(
                f"not zone redundant in {', '.join(lacking)}: a single availability-zone failure there takes "
                "the region down",
                observed={r.name: r.zone_redundant for r in found},
                required="isZoneRedundant true in every region that has availability zones",
                requirement=zone.requirement("zone_redundancy"),
                regions_not_zone_redundant=lacking,
                **skipped,
                **({"regions_not_reported": unreported} if unreported else {}),
            )
        if unreported:
            return self.unknown(f"isZoneRedundant of {', '.join(unreported)}", read_gap(resource, ctx.inventory))
        if undetermined:
            return self.unknown(f"availability zones of region {', '.join(undetermined)} (no region metadata)")
        return self.passed(f"zone redundant in every region that has availability zones "
                           f"({', '.join(r.name for r in judged)})",
                           observed={r.name: r.zone_redundant for r in found}, **skipped)


def _zone_support(found: list[AccountRegion], inventory: Inventory) -> tuple[list[str], list[str]]:
    """(regions without availability zones, where zone redundancy does not apply; regions with no metadata)."""
    infos = {r.name: inventory.region(r.name) for r in found}
    no_zones = [name for name, info in infos.items() if info is not None and not info.has_availability_zones]
    return no_zones, [name for name, info in infos.items() if info is None]
