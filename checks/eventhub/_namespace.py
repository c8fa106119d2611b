"""What the Event Hubs checks share: a namespace's cross-region protection and its documentation.

Two features reach another region. Geo-replication (Premium and Dedicated) replicates the
configuration and the events to secondary regions listed in `geoDataReplication.locations`.
Geo-disaster recovery (Standard, Premium, Dedicated) pairs two namespaces behind an alias
(`disasterRecoveryConfigs`) and replicates the configuration only: "Messages and events aren't
replicated." The Basic tier has neither.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from checks._dr import Copies, declared_partners
from scanner.check import Check, EvaluationContext, Result
from scanner.model import Inventory, ReadGap, Resource
from scanner.regions import normalize_region

NAMESPACE = "Microsoft.EventHub/namespaces"
# ARM's type for the alias; Microsoft's REST examples write it in the singular.
DR_CONFIG = "Microsoft.EventHub/namespaces/disasterRecoveryConfigs"
_DR_CONFIG_TYPES = (DR_CONFIG, "Microsoft.EventHub/namespaces/disasterRecoveryConfig")
SERVICE = "Event Hubs"

# Geo-disaster recovery replicates metadata only ("does not replicate the event data"); for event data
# "don't lean on this Geo-disaster recovery feature set, but follow the replication guidance".
GEO_DR_DOC = "https://learn.microsoft.com/azure/event-hubs/event-hubs-geo-dr"
# Geo-replication replicates metadata and data, Premium and Dedicated tiers.
GEO_REPLICATION_DOC = "https://learn.microsoft.com/azure/event-hubs/geo-replication"
# "If you create an Event Hubs namespace in a region that supports availability zones, zone redundancy
# is automatically enabled."
RELIABILITY_DOC = "https://learn.microsoft.com/azure/reliability/reliability-event-hubs"
AVAILABILITY_DOC = "https://learn.microsoft.com/azure/event-hubs/event-hubs-availability-and-consistency"
FEDERATION_DOC = "https://learn.microsoft.com/azure/event-hubs/event-hubs-federation-overview"


@dataclass
class Protection:
    """What protects a namespace across regions."""

    replicated_to: list[str] = field(default_factory=list)  # geo-replication secondaries (events included)
    alias: list[str] = field(default_factory=list)  # geo-DR aliases where it is the primary (metadata only)
    secondary_of: list[str] = field(default_factory=list)  # aliases where it is the passive secondary
    partners: Copies = field(default_factory=Copies)  # declared dual-load partners
    gap: ReadGap | None = None  # the alias list could not be read


def protection(namespace: Resource, ctx: EvaluationContext) -> Protection:
    found = Protection(replicated_to=_replica_regions(namespace))
    for config in dr_configs(ctx.inventory, namespace):
        role = str(config.prop("role") or "")
        partner = str(config.prop("partnerNamespace") or "") or "an unnamed namespace"
        region = _partner_region(ctx.inventory, partner)
        if role.lower() == "secondary":
            found.secondary_of.append(f"alias {config.name} of {partner.rsplit('/', 1)[-1]}")
        elif role.lower() == "primary":
            where = f" in {region}" if region else " (partner region not in the inventory)"
            if region and region == namespace.location:
                found.partners.same_region.append(f"geo-DR alias {config.name} pairs {partner.rsplit('/', 1)[-1]} "
                                                  f"in the same region {region}")
            else:
                found.alias.append(f"geo-DR alias {config.name} with {partner.rsplit('/', 1)[-1]}{where}")
        # PrimaryNotReplicating: the pairing was broken or failed over; it protects nothing.
    declared_partners(namespace, ctx.zone, ctx.inventory, found.partners)
    found.gap = next((g for t in _DR_CONFIG_TYPES if (g := ctx.inventory.gap(namespace, t))), None)
    return found


def dr_configs(inventory: Inventory, namespace: Resource) -> list[Resource]:
    return [c for t in _DR_CONFIG_TYPES for c in inventory.children(namespace, t)]


def _replica_regions(namespace: Resource) -> list[str]:
    replication = namespace.prop("geoDataReplication")
    locations = replication.get("locations") if isinstance(replication, Mapping) else None
    regions = []
    for location in locations if isinstance(locations, list) else ():
        if not isinstance(location, Mapping):
            continue
        region = normalize_region(location.get("locationName"))
        if region and region != namespace.location and str(location.get("roleType", "")).lower() == "secondary":
            regions.append(region)
    return regions


def _partner_region(inventory: Inventory, partner: str) -> str | None:
    """The partner namespace's region: `partnerNamespace` is an ARM id or, in some API versions, a name."""
    if "/" in partner:
        found = inventory.get(partner)
        return found.location if found is not None else None
    names = inventory.derived("evh:namespaces-by-name",
                              lambda inv: {n.name.lower(): n for n in inv.of_type(NAMESPACE)})
    found = names.get(partner.lower())
    return found.location if found is not None else None


def tier(namespace: Resource) -> str | None:
    sku = namespace.sku or {}
    value = sku.get("tier") or sku.get("name")
    return value if isinstance(value, str) and value else None


class NamespaceCheck(Check):
    service: ClassVar[str] = SERVICE
    resource_type: ClassVar[str] = NAMESPACE

    def secondary_verdict(self, found: Protection) -> Result | None:
        if found.secondary_of:
            return self.not_applicable(f"passive secondary of {'; '.join(found.secondary_of)}: the primary namespace "
                                       "is judged")
        return None
