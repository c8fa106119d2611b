from __future__ import annotations

from checks._dr import region_zone_evidence, unread_in_zone, zone_support_verdict
from checks.eventhub._namespace import AVAILABILITY_DOC, RELIABILITY_DOC, NamespaceCheck
from scanner.check import EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource
from scanner.regions import normalize_region

CLUSTER = "Microsoft.EventHub/clusters"
# "For the Dedicated tier, availability zones require a minimum of three CUs." (RELIABILITY_DOC, Requirements)
MIN_ZONE_REDUNDANT_CUS = 3
DEDICATED_DOC = "https://learn.microsoft.com/azure/event-hubs/event-hubs-dedicated-cluster-create-portal"


class EventHubsZoneRedundancyCheck(NamespaceCheck):
    id = "EVH-003"
    title = "Event Hubs namespace is not zone redundant"
    severity = Severity.MEDIUM
    rationale = (
        "Microsoft documents that a namespace created in a region with availability zones is zone redundant "
        "automatically, in every tier: its metadata and events are replicated across the zones. The property "
        "zoneRedundant may still read false (it was a create-time option in earlier API versions), so the "
        "evidence that counts is the region; zoneRedundant: true is taken as given. The exception is the "
        "Dedicated tier: a namespace on a Dedicated cluster (clusterArmId) is zone redundant only when the "
        "cluster has at least three capacity units, so a smaller cluster keeps its events in one zone. In a "
        "region without availability zones none of this can be configured and the check does not apply."
    )
    guidance = (
        "High availability (HA) and disaster recovery (DR) can sometimes be combined, although each has a slightly "
        "different strategy, especially when it comes to data."
    )
    logic = {
        "redeploy": "not applicable unless the zone overrides zone_redundancy to required",
        "backup-restore": "not applicable unless the zone overrides zone_redundancy to required",
        "warm-spare": "not applicable unless the zone overrides zone_redundancy to required",
        "hot-spare": "on a Dedicated cluster (clusterArmId): fail below three capacity units, pass from three, "
                     "unknown when the cluster is not in the inventory; otherwise pass when zoneRedundant is true "
                     "or the region has availability zones (zone redundancy is automatic there); not applicable in "
                     "a region without availability zones; unknown when the region is not known",
    }
    remediation = Remediation(
        summary="Scale the Dedicated cluster to at least three capacity units (self-serve when the cluster "
                "supports scaling, otherwise through a support request), or move its namespaces to a cluster "
                "that has three.",
        portal="Event Hubs cluster > Settings > Scale > Capacity units: 3 or more.",
        cli="az eventhubs cluster update -g <rg> -n <cluster> --capacity 3",
        iac="Bicep: Microsoft.EventHub/clusters sku: { name: 'Dedicated', capacity: 3 }; Terraform: "
            "azurerm_eventhub_cluster sku_name = \"Dedicated_3\"",
    )
    references = (RELIABILITY_DOC, AVAILABILITY_DOC, DEDICATED_DOC)

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if not zone.requirements.required("zone_redundancy"):
            return self.not_applicable(f"zone {zone.name} does not require zone redundancy")
        field = resource.prop("zoneRedundant")
        cluster_id = resource.prop("clusterArmId")
        if isinstance(cluster_id, str) and cluster_id.strip():
            return self._on_dedicated_cluster(resource, cluster_id, ctx)
        if field is True:
            return self.passed("the namespace is zone redundant", observed="zoneRedundant: true")
        if verdict := zone_support_verdict(self, ctx.inventory, resource.location, "zone redundancy"):
            return verdict
        region = normalize_region(resource.location)
        return self.passed(f"{region} has availability zones: Event Hubs makes the namespace zone "
                           "redundant there automatically (the zoneRedundant property is not the evidence)",
                           observed=f"region {region} with availability zones", zoneRedundant=field,
                           **region_zone_evidence(ctx.inventory, resource.location))

    def _on_dedicated_cluster(self, namespace: Resource, cluster_id: str, ctx: EvaluationContext) -> Result:
        """A namespace on a Dedicated cluster is zone redundant only when the cluster has at least three CUs."""
        cluster = ctx.inventory.get(cluster_id)
        name = cluster_id.rstrip("/").rsplit("/", 1)[-1]
        if cluster is None:
            return self.unknown(f"Dedicated cluster {name} (clusterArmId), not in the scanned inventory: its "
                                "capacity units decide zone redundancy",
                                unread_in_zone(ctx.inventory, ctx.zone, CLUSTER))
        if verdict := zone_support_verdict(self, ctx.inventory, cluster.location, "zone redundancy"):
            return verdict
        capacity = (cluster.sku or {}).get("capacity")
        if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 1:
            return self.unknown(f"sku.capacity of Dedicated cluster {name} (a whole number of capacity units)")
        evidence = {"cluster": cluster.id, "capacity_units": capacity,
                    **region_zone_evidence(ctx.inventory, cluster.location)}
        if capacity >= MIN_ZONE_REDUNDANT_CUS:
            return self.passed(f"Dedicated cluster {name} has {capacity} capacity units in {cluster.location}, a "
                               "region with availability zones: zone redundant", observed=f"{capacity} CUs",
                               **evidence)
        return self.failed(
            f"Event Hubs namespace {namespace.name} runs on Dedicated cluster {name} with {capacity} capacity "
            f"unit{'s' if capacity != 1 else ''}: a Dedicated cluster supports availability zones only from "
            f"{MIN_ZONE_REDUNDANT_CUS} CUs; zone {ctx.zone.name} ({ctx.zone.strategy}) requires zone redundancy",
            observed=f"{capacity} CUs", required=f"at least {MIN_ZONE_REDUNDANT_CUS} CUs",
            requirement=ctx.zone.requirement("zone_redundancy"), **evidence,
        )
