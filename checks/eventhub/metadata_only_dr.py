from __future__ import annotations

from checks.eventhub._namespace import (
    FEDERATION_DOC,
    GEO_DR_DOC,
    GEO_REPLICATION_DOC,
    NamespaceCheck,
    protection,
    tier,
)
from scanner.check import EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource
from scanner.policy import Strategy, format_duration


class EventHubsMetadataOnlyDrCheck(NamespaceCheck):
    id = "EVH-002"
    title = "A geo-DR alias is the Event Hubs namespace's only protection"
    severity = Severity.MEDIUM
    rationale = (
        "Geo-disaster recovery copies the namespace's configuration, not its events: after a failover the "
        "secondary starts empty, and every event not yet consumed stays in the lost region. Microsoft says not to "
        "lean on it for event data. A warm- or hot-spare zone measures its RPO in data, so the events need a copy "
        "of their own in another region: geo-replication, or producers loading a second namespace there (the "
        "guidance's \"dual load\", as STG-007 asks of storage)."
    )
    guidance = (
        "Note: A storage account which is configured as RA-GRS or any other GRS technology does not qualifies as a "
        "response to DR and customers are encouraged to conduct appropriate due diligence in terms of what works "
        "best for them including a \"dual load\" scenario i.e. copy data into 2 Azure regions respectively."
    )
    logic = {
        "redeploy": "not applicable",
        "backup-restore": "not applicable",
        "warm-spare": "for the primary of a geo-DR alias: fail unless the events also reach another region "
                      "(geo-replication, or a dual-load partner declared with tag bcdr-partner or in the zone's "
                      "partners); not applicable without an alias (EVH-001 judges that) and to the passive secondary",
        "hot-spare": "as warm-spare",
    }
    remediation = Remediation(
        summary="Replicate the events, not only the configuration: on Premium or Dedicated enable geo-replication "
                "to the secondary region; otherwise have producers (or a replication task) send every event to a "
                "namespace in the secondary region too, and declare it with tag bcdr-partner=<namespace id>.",
        portal="Event Hubs namespace (Premium/Dedicated) > Settings > Geo-Replication > Add secondary region; "
               "namespace > Tags > bcdr-partner.",
        cli="az eventhubs namespace replica add -g <rg> --namespace-name <namespace> --geo-data-replication-config "
            "role-type=Secondary location-name=<secondary-region>; or az tag update --resource-id <namespace id> "
            "--operation merge --tags bcdr-partner=<partner namespace id>",
        iac="Bicep: properties.geoDataReplication.locations with a Secondary in another region (sku Premium); or "
            "tags: { 'bcdr-partner': <partner namespace id> }",
    )
    references = (GEO_DR_DOC, GEO_REPLICATION_DOC, FEDERATION_DOC)

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if not (zone.strategy.at_least(Strategy.WARM_SPARE) and zone.requirements.required("geo_redundancy")):
            return self.not_applicable(f"zone {zone.name} ({zone.strategy}) does not keep a live copy in another "
                                       "region")
        found = protection(resource, ctx)
        if secondary := self.secondary_verdict(found):
            return secondary
        if found.replicated_to:
            return self.passed(f"events are geo-replicated to {', '.join(found.replicated_to)}",
                               observed=found.replicated_to)
        if found.partners.elsewhere:
            return self.passed(f"events are dual-loaded: {'; '.join(found.partners.elsewhere)}",
                               observed=found.partners.elsewhere)
        if not found.alias:
            if found.gap:
                return self.unknown(f"geo-DR aliases of {resource.name}", found.gap)
            return self.not_applicable("no geo-DR alias (EVH-001 judges a namespace without cross-region protection)")
        return self.failed(
            f"Event Hubs namespace {resource.name} is protected only by {'; '.join(found.alias)}, which replicates "
            f"the configuration, not the events; zone {zone.name} ({zone.strategy}, RPO "
            f"{format_duration(zone.rpo)}) loses every event not yet consumed in {resource.location}",
            observed=found.alias,
            required="the events in another region: geo-replication, or a declared dual-load partner",
            requirement=f"a live copy of the events in another region ({zone.strategy}; "
                        f"{zone.requirement('geo_redundancy')})",
            tier=tier(resource),
        )
