from __future__ import annotations

from collections import defaultdict

from checks.general._types import ALL_SECTIONS, ANALYTICS_WORKSPACES, display_name
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Inventory, ReadGap, Resource, subscription_of
from scanner.policy import Policy, Strategy, Zone

SEVERITY_BY_STRATEGY = {Strategy.HOT_SPARE: Severity.HIGH, Strategy.WARM_SPARE: Severity.MEDIUM}


class AnalyticsStandbyRegionCheck(Check):
    id = "GEN-002"
    title = "Analytics workspace has no standby in the zone's secondary region"
    service = "General"
    resource_type = ANALYTICS_WORKSPACES
    severity = Severity.HIGH
    rationale = (
        "Data Factory, Synapse, Databricks and Machine Learning workspaces do not fail over to another "
        "region by themselves. A warm-spare or hot-spare landing zone recovers by switching to a workspace "
        "that already exists in its secondary region; without one, recovery means building and configuring "
        "a new workspace during the outage, which the zone's RTO does not allow."
    )
    guidance = (
        "Backup Strategies: Warm Spare (Active/Passive): A secondary hosted service is created in an "
        "alternate region, and roles are deployed to guarantee minimal capacity; however, the roles don't "
        "receive production traffic.\n\n"
        "Hot Spare (Active/Active): The application is designed to receive production load in multiple "
        "regions.\n\n" + ALL_SECTIONS
    )
    logic = {
        "redeploy": "not applicable: the workspace is redeployed after the disaster",
        "backup-restore": "not applicable: the workspace is restored or redeployed after the disaster",
        "warm-spare": "medium: fail when a workspace in the zone's primary region has no workspace of the same "
                      "type in the same zone in its secondary region; not applicable to the standby itself; "
                      "unknown when the zone declares no secondary_region",
        "hot-spare": "high: fail when a workspace in the zone's primary region has no workspace of the same type "
                     "in the same zone in its secondary region; not applicable to the standby itself; unknown "
                     "when the zone declares no secondary_region",
    }
    remediation = Remediation(
        summary="Deploy a workspace of the same type in the zone's secondary region, in a subscription or "
                "resource group that belongs to the same landing zone, and keep it in step from source control "
                "(pipelines, notebooks, jobs, models) so it can take over.",
        portal="Create a resource > Data Factory / Azure Synapse Analytics / Azure Databricks / Azure Machine "
               "Learning > Region: the zone's secondary region; then connect it to the same git repository.",
        cli="az datafactory create -g <dr-rg> -n <name> --location <secondary>; "
            "az synapse workspace create -g <dr-rg> -n <name> --location <secondary> ...; "
            "az databricks workspace create -g <dr-rg> -n <name> --location <secondary> --sku premium; "
            "az ml workspace create -g <dr-rg> -n <name> --location <secondary>",
        iac="Bicep: a second resource of the same type with location: <secondary region> (same module, "
            "another location parameter); Terraform: a second azurerm_data_factory / azurerm_synapse_workspace / "
            "azurerm_databricks_workspace / azurerm_machine_learning_workspace with location = the secondary "
            "region",
    )
    references = (
        "https://learn.microsoft.com/azure/databricks/scenarios/howto-regional-disaster-recovery",
        "https://learn.microsoft.com/azure/machine-learning/how-to-high-availability-machine-learning",
        "https://learn.microsoft.com/azure/data-factory/concepts-data-redundancy",
        "https://learn.microsoft.com/azure/cloud-adoption-framework/migrate/azure-best-practices/analytics/azure-synapse",
    )

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        severity = SEVERITY_BY_STRATEGY.get(zone.strategy)
        if severity is None:
            return self.not_applicable(f"zone {zone.name} is {zone.strategy}: no standby is kept running")
        if not zone.secondary_region:
            return self.unknown(f"zone {zone.name}'s secondary region (the policy declares no secondary_region)")
        if not resource.location:
            return self.unknown("location of the workspace")
        if resource.location == zone.secondary_region:
            return self.not_applicable(f"in the zone's secondary region {zone.secondary_region}: a standby")
        if zone.primary_region and resource.location != zone.primary_region:
            return self.not_applicable(f"in {resource.location}, not in the zone's primary region "
                                       f"{zone.primary_region}")
        # Keyed by the policy object, kept alive by the cache itself so its id is never reused for another.
        _, placed = ctx.inventory.derived(f"GEN-002:{id(ctx.policy)}",
                                          lambda inv: (ctx.policy, _by_zone_and_region(inv, ctx.policy)))
        standbys = placed.get((resource.type_key, zone.name, zone.secondary_region), [])
        if standbys:
            return self.passed(f"standby in {zone.secondary_region}: {standbys[0].rsplit('/', 1)[-1]}",
                               observed=standbys)
        gap = _unread_standby(resource, zone, ctx)
        if gap:
            return self.unknown(f"{resource.type} resources of zone {zone.name} (a standby may exist)", gap)
        return self.failed(
            f"no {display_name(resource.type)} of zone {zone.name} in its secondary region "
            f"{zone.secondary_region}: {resource.name} has nothing to fail over to ({zone.strategy})",
            observed=f"no {resource.type} in {zone.secondary_region} in zone {zone.name}",
            required=f"a {resource.type} in {zone.secondary_region} in zone {zone.name}",
            requirement=f"a standby in the secondary region {zone.secondary_region} ({zone.strategy})",
            severity=severity,
        )


def _by_zone_and_region(inventory: Inventory, policy: Policy) -> dict[tuple[str, str, str | None], list[str]]:
    """Ids of the workspaces by (type, zone, region), built once per scan: looking for a standby
    resource by resource would be quadratic in the number of workspaces."""
    placed: dict[tuple[str, str, str | None], list[str]] = defaultdict(list)
    for resource_type in ANALYTICS_WORKSPACES:
        for other in inventory.of_type(resource_type):
            placed[(other.type_key, policy.zone_for(other, inventory).name, other.location)].append(other.id)
    return placed


def _unread_standby(resource: Resource, zone: Zone, ctx: EvaluationContext) -> ReadGap | None:
    """A read gap that could hide the standby: this type (or everything) unread somewhere in the zone."""
    wanted = {resource.type_key, "*"}
    for gap in ctx.inventory.gaps:
        if gap.data.lower() not in wanted:
            continue
        sub = subscription_of(gap.scope)
        # A zone selecting subscriptions can only hold resources of those subscriptions.
        if not zone.match.subscriptions or sub is None or sub in zone.match.subscriptions:
            return gap
    return None
