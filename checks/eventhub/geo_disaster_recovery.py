from __future__ import annotations

from checks.eventhub._namespace import (
    GEO_DR_DOC,
    GEO_REPLICATION_DOC,
    RELIABILITY_DOC,
    NamespaceCheck,
    protection,
    tier,
)
from scanner.check import EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource
from scanner.policy import Strategy


class EventHubsGeoProtectionCheck(NamespaceCheck):
    id = "EVH-001"
    title = "Event Hubs namespace has no geo-replication or geo-disaster-recovery pairing"
    severity = Severity.HIGH
    rationale = (
        "A namespace lives in one region. Warm- and hot-spare zones need ingestion to continue in another region: "
        "geo-replication (Premium, Dedicated) keeps secondary regions with the configuration and the events, and "
        "geo-disaster recovery (Standard and above) keeps a paired namespace behind an alias with the "
        "configuration only. Without either, a regional outage stops ingestion until a namespace is rebuilt. The "
        "Basic tier offers neither."
    )
    guidance = (
        "Warm Spare (Active/Passive): A secondary hosted service is created in an alternate region, and roles are "
        "deployed to guarantee minimal capacity; however, the roles don't receive production traffic."
    )
    logic = {
        "redeploy": "not applicable",
        "backup-restore": "not applicable (Event Hubs keeps no backups to restore)",
        "warm-spare": "fail when the namespace has no geo-replication secondary in another region, is the primary of "
                      "no geo-DR alias and has no declared partner; not applicable to an alias's passive secondary "
                      "and to Basic namespaces (neither feature exists in that tier)",
        "hot-spare": "as warm-spare",
    }
    remediation = Remediation(
        summary="On Premium or Dedicated, add a geo-replication secondary in the zone's secondary region (events "
                "and configuration). On Standard, pair the namespace with a new namespace there through a geo-DR "
                "alias and connect through the alias; move a Basic namespace to Standard first.",
        portal="Event Hubs namespace > Settings > Geo-Replication > Add secondary region; or Settings > Geo-Recovery "
               "> Initiate pairing (secondary namespace in the secondary region).",
        cli="az eventhubs georecovery-alias set -g <rg> --namespace-name <namespace> -a <alias> "
            "--partner-namespace <secondary namespace id>",
        iac="Bicep: properties.geoDataReplication: { locations: [ { locationName: <primary>, roleType: 'Primary' }, "
            "{ locationName: <secondary>, roleType: 'Secondary' } ] }, or Microsoft.EventHub/namespaces/"
            "disasterRecoveryConfigs with partnerNamespace; Terraform: azurerm_eventhub_namespace_disaster_"
            "recovery_config",
    )
    references = (GEO_REPLICATION_DOC, GEO_DR_DOC, RELIABILITY_DOC)

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if not (zone.strategy.at_least(Strategy.WARM_SPARE) and zone.requirements.required("geo_redundancy")):
            return self.not_applicable(f"zone {zone.name} ({zone.strategy}) does not keep a live copy in another "
                                       "region")
        found = protection(resource, ctx)
        if secondary := self.secondary_verdict(found):
            return secondary
        qualifying = [*(f"geo-replication to {r}" for r in found.replicated_to), *found.alias,
                      *found.partners.elsewhere]
        if qualifying:
            return self.passed(f"protected in another region: {'; '.join(qualifying)}", observed=qualifying)
        if (tier(resource) or "").lower() == "basic":
            return self.not_applicable("Basic tier: neither geo-disaster recovery nor geo-replication exists in it "
                                       "(Standard or above)")
        if found.gap:
            return self.unknown(f"geo-DR aliases of {resource.name}", found.gap)
        return self.failed(
            f"Event Hubs namespace {resource.name} in {resource.location} has no geo-replication and no geo-DR "
            f"pairing; zone {zone.name} ({zone.strategy}) requires ingestion to go on in another region",
            observed="; ".join(found.partners.same_region) or "no geo-replication, no geo-DR alias",
            required="geo-replication to another region, or a geo-DR alias with a namespace there"
                     + (f" ({zone.secondary_region})" if zone.secondary_region else ""),
            requirement=zone.requirement("geo_redundancy"),
            tier=tier(resource),
        )
