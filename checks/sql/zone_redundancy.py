from __future__ import annotations

from typing import Any

from checks._dr import region_zone_evidence, zone_support_verdict
from checks.sql._common import (
    GUIDANCE_SQL,
    SqlDatabaseCheck,
    legacy_service_fields,
    service_tier,
    zone_redundancy_capable,
)
from scanner.check import EvaluationContext, Remediation, Result, Severity
from scanner.model import Inventory, Resource


class SqlZoneRedundancyCheck(SqlDatabaseCheck):
    id = "SQL-004"
    title = "SQL database is not zone redundant"
    severity = Severity.MEDIUM
    rationale = (
        "A database that is not zone redundant runs all its replicas in one datacenter of the region: an "
        "availability-zone outage takes it down, and in a hot-spare zone that forces a cross-region "
        "failover (with its data loss) for what the region itself could have absorbed. Zone redundancy "
        "is available in the Premium, Business Critical, General Purpose and Hyperscale tiers; Basic and "
        "Standard (DTU) databases must change tier first. Databases in an elastic pool take the setting "
        "from the pool."
    )
    guidance = (
        f"{GUIDANCE_SQL}\n\n"
        "High availability (HA) and disaster recovery (DR) can sometimes be combined, although each has a "
        "slightly different strategy, especially when it comes to data."
    )
    logic = {
        "redeploy": "not applicable unless the zone overrides zone_redundancy to required",
        "backup-restore": "not applicable unless the zone overrides zone_redundancy to required",
        "warm-spare": "not applicable unless the zone overrides zone_redundancy to required",
        "hot-spare": "fail when zoneRedundant is false; the evidence says when the service tier cannot be "
                     "zone redundant (Basic, Standard); not applicable in a region without availability zones, "
                     "unknown when the region is not known",
    }
    remediation = Remediation(
        summary="Enable zone redundancy on the database (or on its elastic pool). Basic and Standard "
                "databases must first move to Premium, General Purpose or Business Critical; Hyperscale "
                "takes zone redundancy at creation, so copy the database into a zone-redundant one.",
        portal="SQL database > Settings > Compute + storage > Would you like to make this database zone "
               "redundant? Yes (elastic pool: SQL elastic pool > Settings > Compute + storage).",
        cli="az sql db update -g <rg> -s <server> -n <database> --zone-redundant true "
            "(from Standard: add --edition GeneralPurpose --family Gen5 --capacity 2)",
        iac="Bicep: properties.zoneRedundant: true; Terraform: azurerm_mssql_database zone_redundant = true "
            "(azurerm_mssql_elastic_pool zone_redundant = true for pooled databases)",
    )
    references = (
        "https://learn.microsoft.com/azure/azure-sql/database/high-availability-sla-local-zone-redundancy",
        "https://learn.microsoft.com/azure/azure-sql/database/enable-zone-redundancy",
        "https://learn.microsoft.com/azure/reliability/reliability-sql-database",
    )

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if not zone.requirements.required("zone_redundancy"):
            return self.not_applicable(f"zone {zone.name} does not require zone redundancy")
        value = resource.prop("zoneRedundant")
        if not isinstance(value, bool):
            return self.unknown("properties.zoneRedundant")
        if value:
            return self.passed("the database is zone redundant", observed=True)
        if verdict := zone_support_verdict(self, ctx.inventory, resource.location, "zone redundancy"):
            return verdict
        evidence = _capability_evidence(resource, ctx.inventory)
        return self.failed(
            f"database {resource.name} keeps all replicas in one availability zone of {resource.location}; "
            f"zone {zone.name} ({zone.strategy}) requires zone redundancy. {evidence['note']}",
            observed="zoneRedundant: false",
            required="zoneRedundant: true",
            requirement=zone.requirement("zone_redundancy"),
            **evidence,
        )


def _capability_evidence(database: Resource, inventory: Inventory) -> dict[str, Any]:
    """Whether the fix is a setting, a tier change or an elastic-pool change (a region without availability
    zones is not applicable before this is asked)."""
    tier = service_tier(database)
    capable = zone_redundancy_capable(database)
    pool = database.prop("elasticPoolId")
    if capable is False:
        note = (f"The {tier} tier cannot be zone redundant: change the tier to Premium, General Purpose or "
                "Business Critical, then enable zone redundancy.")
    elif capable is None:
        note = "The service tier is not recorded: check that it supports zone redundancy."
    elif isinstance(pool, str) and pool:
        note = f"The database is in elastic pool {pool.rsplit('/', 1)[-1]}: enable zone redundancy on the pool."
    elif (tier or "").lower() == "hyperscale":
        note = "Hyperscale takes zone redundancy at creation: copy the database into a zone-redundant one."
    else:
        note = f"The {tier} tier supports zone redundancy: enable it."
    return {"service_tier": tier, "sku_supports_zone_redundancy": capable,
            **region_zone_evidence(inventory, database.location), "note": note,
            **legacy_service_fields(database)}
