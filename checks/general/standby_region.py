from __future__ import annotations

from collections import defaultdict

from checks._dr import unread_in_zone
from checks.general._types import (
    ALL_SECTIONS,
    DATA_EXPLORER_CLUSTER,
    PURVIEW_ACCOUNT,
    STANDBY_SERVICES,
    display_name,
)
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Inventory, Resource
from scanner.policy import Policy, Strategy

SEVERITY_BY_STRATEGY = {Strategy.HOT_SPARE: Severity.HIGH, Strategy.WARM_SPARE: Severity.MEDIUM}


class AnalyticsStandbyRegionCheck(Check):
    id = "GEN-002"
    title = "Analytics service has no standby in the zone's secondary region"
    service = "General"
    resource_type = STANDBY_SERVICES
    severity = Severity.HIGH
    rationale = (
        "Data Factory, Synapse, Databricks and Machine Learning workspaces, Microsoft Purview accounts and Data "
        "Explorer clusters do not fail over to another region by themselves. A warm-spare or hot-spare landing "
        "zone recovers by switching to one that already exists in its secondary region; without it, recovery "
        "means building and configuring a new one during the outage, which the zone's RTO does not allow. "
        "Purview has no built-in disaster recovery: the standby is a second account, which needs a quota "
        "increase (one account per tenant by default). A Data Explorer follower database is no standby: it must "
        "be in its leader's region and reads the leader's storage."
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
        "warm-spare": "medium: fail when a workspace, Purview account or Data Explorer cluster in the zone's "
                      "primary region has none of the same type in the same zone in its secondary region (a Data "
                      "Explorer cluster that follows databases of a leader in another region does not count); not "
                      "applicable to the standby itself; unknown when the zone declares no secondary_region",
        "hot-spare": "high: as warm-spare",
    }
    remediation = Remediation(
        summary="Deploy a resource of the same type in the zone's secondary region, in a subscription or "
                "resource group that belongs to the same landing zone, and keep it in step from source control "
                "(pipelines, notebooks, jobs, models) so it can take over. For Microsoft Purview, request a quota "
                "increase first (one account per tenant by default), then create the secondary account and keep "
                "its collections, scans and glossary in step through the APIs. For Data Explorer, create a cluster "
                "that ingests the data itself (follower databases stay in the leader's region).",
        portal="Create a resource > Data Factory / Azure Synapse Analytics / Azure Databricks / Azure Machine "
               "Learning / Microsoft Purview / Azure Data Explorer > Region: the zone's secondary region; then "
               "connect it to the same git repository. For Purview, Help + support > quota increase for a second "
               "account first.",
        cli="az datafactory create -g <dr-rg> -n <name> --location <secondary>; "
            "az synapse workspace create -g <dr-rg> -n <name> --location <secondary> ...; "
            "az databricks workspace create -g <dr-rg> -n <name> --location <secondary> --sku premium; "
            "az ml workspace create -g <dr-rg> -n <name> --location <secondary>; "
            "az purview account create -g <dr-rg> -n <name> --location <secondary> (after the quota increase); "
            "az kusto cluster create -g <dr-rg> -n <name> --location <secondary> --sku name=<sku> tier=Standard",
        iac="Bicep: a second resource of the same type with location: <secondary region> (same module, "
            "another location parameter); Terraform: a second azurerm_data_factory / azurerm_synapse_workspace / "
            "azurerm_databricks_workspace / azurerm_machine_learning_workspace / azurerm_purview_account / "
            "azurerm_kusto_cluster with location = the secondary region",
    )
    references = (
        "https://learn.microsoft.com/azure/databricks/scenarios/howto-regional-disaster-recovery",
        "https://learn.microsoft.com/azure/machine-learning/how-to-high-availability-machine-learning",
        "https://learn.microsoft.com/azure/data-factory/concepts-data-redundancy",
        "https://learn.microsoft.com/azure/cloud-adoption-framework/migrate/azure-best-practices/analytics/azure-synapse",
        # No automated BCDR; a second account needs support to raise the one-account-per-tenant default.
        "https://learn.microsoft.com/purview/concept-best-practices-migration",
        # "The follower and the leader clusters must be in the same region"; followers read the leader's storage.
        "https://learn.microsoft.com/azure/data-explorer/follower",
        "https://learn.microsoft.com/azure/reliability/reliability-data-explorer",
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
        placed = standby_index(ctx.inventory, ctx.policy)
        standbys = placed.get((resource.type_key, zone.name, zone.secondary_region), [])
        if standbys:
            return self.passed(f"standby in {zone.secondary_region}: {standbys[0].rsplit('/', 1)[-1]}",
                               observed=standbys)
        gap = unread_in_zone(ctx.inventory, zone, resource.type)
        if gap:
            return self.unknown(f"{resource.type} resources of zone {zone.name} (a standby may exist)", gap)
        return self.failed(
            f"no {display_name(resource.type)} of zone {zone.name} in its secondary region "
            f"{zone.secondary_region}: {resource.name} has nothing to fail over to ({zone.strategy})",
            observed=f"no {resource.type} in {zone.secondary_region} in zone {zone.name}",
            required=f"a {resource.type} in {zone.secondary_region} in zone {zone.name}",
            requirement=f"a standby in the secondary region {zone.secondary_region} ({zone.strategy})",
            severity=severity,
            **_NOTES.get(resource.type_key, {}),
        )


_NOTES = {
    PURVIEW_ACCOUNT.lower(): {"note": "Microsoft Purview allows one account per tenant by default: the second "
                                      "account needs a quota increase (support request) before it can be created"},
    DATA_EXPLORER_CLUSTER.lower(): {"note": "a follower database is no standby: it must be in its leader's region "
                                            "and reads the leader's storage"},
}


def standby_index(inventory: Inventory, policy: Policy) -> dict[tuple[str, str, str | None], list[str]]:
    """Ids of the standby candidates by (type, zone, region), built once per scan and policy."""
    # Keyed by the policy object, kept alive by the cache itself so its id is never reused for another.
    _, placed = inventory.derived(f"GEN-002:{id(policy)}", lambda inv: (policy, _by_zone_and_region(inv, policy)))
    return placed


def _by_zone_and_region(inventory: Inventory, policy: Policy) -> dict[tuple[str, str, str | None], list[str]]:
    """Ids of the standby candidates by (type, zone, region), built once per scan: looking for a standby
    resource by resource would be quadratic in the number of workspaces."""
    placed: dict[tuple[str, str, str | None], list[str]] = defaultdict(list)
    for resource_type in STANDBY_SERVICES:
        for other in inventory.of_type(resource_type):
            if other.type_key == DATA_EXPLORER_CLUSTER.lower() and _follows_another_region(other, inventory):
                continue
            placed[(other.type_key, policy.zone_for(other, inventory).name, other.location)].append(other.id)
    return placed


ATTACHED_DATABASES = "Microsoft.Kusto/clusters/attachedDatabaseConfigurations"


def _follows_another_region(cluster: Resource, inventory: Inventory) -> bool:
    """A cluster following databases of a leader in another region serves them from the leader's storage:
    it holds no copy of them in its own region (Microsoft requires followers in the leader's region)."""
    for config in inventory.children(cluster, ATTACHED_DATABASES):
        leader_id = config.prop("clusterResourceId")
        leader = inventory.get(leader_id) if isinstance(leader_id, str) and leader_id else None
        if leader is not None and leader.location and leader.location != cluster.location:
            return True
    return False
