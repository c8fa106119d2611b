from __future__ import annotations

from checks.eventhub._namespace import AVAILABILITY_DOC, RELIABILITY_DOC, NamespaceCheck
from scanner.check import EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource


class EventHubsZoneRedundancyCheck(NamespaceCheck):
    id = "EVH-003"
    title = "Event Hubs namespace is not zone redundant"
    severity = Severity.MEDIUM
    rationale = (
        "Microsoft documents that a namespace created in a region with availability zones is zone redundant "
        "automatically, in every tier: its metadata and events are replicated across the zones. The property "
        "zoneRedundant may still read false (it was a create-time option in earlier API versions), so the "
        "evidence that counts is the region: a namespace in a region with availability zones is zone redundant, "
        "one in a region without them cannot be, whatever the property says. zoneRedundant: true is taken as "
        "given."
    )
    guidance = (
        "High availability (HA) and disaster recovery (DR) can sometimes be combined, although each has a slightly "
        "different strategy, especially when it comes to data."
    )
    logic = {
        "redeploy": "not applicable unless the zone overrides zone_redundancy to required",
        "backup-restore": "not applicable unless the zone overrides zone_redundancy to required",
        "warm-spare": "not applicable unless the zone overrides zone_redundancy to required",
        "hot-spare": "pass when zoneRedundant is true or the region has availability zones (zone redundancy is "
                     "automatic there); fail in a region without availability zones; unknown when the region's "
                     "metadata is missing",
    }
    remediation = Remediation(
        summary="Move ingestion to a namespace in a region with availability zones (the zone's primary region when "
                "it has them): create the namespace there, point producers and consumers at it, and retire the old "
                "one once drained.",
        portal="Create > Event Hubs > Namespace > Location: a region with availability zones.",
        cli="az eventhubs namespace create -g <rg> -n <namespace> --location <region with availability zones> "
            "--sku Standard",
        iac="Bicep: Microsoft.EventHub/namespaces with location: <region with availability zones>; Terraform: "
            "azurerm_eventhub_namespace location",
    )
    references = (RELIABILITY_DOC, AVAILABILITY_DOC)

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if not zone.requirements.required("zone_redundancy"):
            return self.not_applicable(f"zone {zone.name} does not require zone redundancy")
        field = resource.prop("zoneRedundant")
        if field is True:
            return self.passed("the namespace is zone redundant", observed="zoneRedundant: true")
        region = ctx.inventory.region(resource.location)
        if region is None:
            return self.unknown(f"availability zones of region {resource.location} (no region metadata; "
                                f"zoneRedundant: {field})")
        evidence = {"zoneRedundant": field, "region_has_availability_zones": region.has_availability_zones,
                    "region_metadata": region.source}
        if region.has_availability_zones:
            return self.passed(f"{region.name} has availability zones: Event Hubs makes the namespace zone "
                               "redundant there automatically (the zoneRedundant property is not the evidence)",
                               observed=f"region {region.name} with availability zones", **evidence)
        return self.failed(
            f"Event Hubs namespace {resource.name} is in {region.name}, a region without availability zones: it "
            f"cannot be zone redundant there; zone {zone.name} ({zone.strategy}) requires zone redundancy",
            observed=f"region {region.name} without availability zones",
            required="a namespace in a region with availability zones",
            requirement=zone.requirement("zone_redundancy"),
            **evidence,
        )
