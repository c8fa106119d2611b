from __future__ import annotations

from checks.cosmosdb._account import (
    DATABASE_ACCOUNT,
    GUIDANCE_SECTION,
    HIGH_AVAILABILITY_DOC,
    HOT_SPARE,
    RELIABILITY_DOC,
    WARM_SPARE,
    flag,
    read_gap,
    region_names,
    regions,
)
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource
from scanner.policy import Strategy


class CosmosServiceManagedFailoverCheck(Check):
    id = "COS-002"
    title = "Multi-region Cosmos DB account without service-managed failover"
    service = "Cosmos DB"
    resource_type = DATABASE_ACCOUNT
    severity = Severity.HIGH
    rationale = (
        "A single-write account with read regions keeps serving reads during a write-region outage, but "
        "writes stop until the write region is moved. Without service-managed failover "
        "(enableAutomaticFailover) nobody but an operator running a manual failover moves it, and a manual "
        "failover needs the control plane of the failing region. Hot spares rely on recovery without "
        "intervention; warm spares should at least not depend on a person being awake."
    )
    guidance = f"{GUIDANCE_SECTION}\n\n{HOT_SPARE}\n\n{WARM_SPARE}"
    logic = {
        "redeploy": "not applicable",
        "backup-restore": "not applicable",
        "warm-spare": "fail (low) when a multi-region, single-write account has enableAutomaticFailover false",
        "hot-spare": "fail (high) when a multi-region, single-write account has enableAutomaticFailover false; "
                     "single-region accounts are COS-001's concern, multi-write accounts are not applicable",
    }
    remediation = Remediation(
        summary="Turn on service-managed failover and order the failover priorities so the zone's secondary "
                "region is next in line.",
        portal="Azure Cosmos DB account > Settings > Replicate data globally > Service-Managed Failover > On.",
        cli="az cosmosdb update -g <rg> -n <account> --enable-automatic-failover true",
        iac="Bicep: properties.enableAutomaticFailover: true; Terraform (azurerm_cosmosdb_account): "
            "automatic_failover_enabled = true (enable_automatic_failover before azurerm 4.0)",
    )
    references = (
        HIGH_AVAILABILITY_DOC,
        "https://learn.microsoft.com/azure/cosmos-db/how-to-manage-database-account#automatic-failover",
        RELIABILITY_DOC,
    )

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if not zone.strategy.at_least(Strategy.WARM_SPARE):
            return self.not_applicable(f"zone {zone.name} ({zone.strategy}) does not fail over to a live replica")
        found = regions(resource)
        if found is None:
            return self.unknown("properties.locations (the account's regions)", read_gap(resource, ctx.inventory))
        names = region_names(found)
        if len(names) < 2:
            return self.not_applicable(f"single-region account ({names[0]}): there is no region to fail over to "
                                       "(see COS-001)")
        multi_write, _ = flag(resource, "enableMultipleWriteLocations")
        if multi_write:
            return self.not_applicable("multi-region writes: every region accepts writes, no write-region "
                                       "failover is needed")
        automatic, observed = flag(resource, "enableAutomaticFailover")
        if automatic:
            return self.passed(f"service-managed failover is on across {', '.join(names)}", observed=observed,
                               regions=names)
        return self.failed(
            f"writes go to {names[0]} only and service-managed failover is off: an outage there stops writes "
            "until someone fails over by hand",
            observed=observed,
            required="enableAutomaticFailover true",
            requirement=zone.requirement("automatic_failover"),
            # Hot spares (automatic_failover required) promise recovery without intervention.
            severity=Severity.HIGH if zone.requirements.required("automatic_failover") else Severity.LOW,
            write_region=names[0],
            regions=names,
        )
