"""What the data-landing-zone checks share: declared DR partners, read gaps that may hide a copy, and
what a region offers (availability zones, a paired region).

Availability zones: https://learn.microsoft.com/azure/reliability/regions-list lists the regions that have
them; the zone-redundancy checks are not applicable elsewhere (`zone_support_verdict`).

A copy outside the scan (another tenant, a subscription or resource group not scanned) can only be
known if the policy or the resource declares it: the tag `bcdr-partner` on the resource, or the zone's
`partners` map. A declared partner that the inventory shows in the resource's own region is no copy
elsewhere; one the inventory does not hold is taken as declared, and the evidence says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scanner.check import Check, Result
from scanner.model import Inventory, ReadGap, Resource, subscription_of
from scanner.policy import Zone
from scanner.regions import RegionInfo

PARTNER_TAG = "bcdr-partner"


@dataclass
class Copies:
    """Copies of a resource found while judging whether it has one in another region."""

    elsewhere: list[str] = field(default_factory=list)  # proven (or declared) in another region
    same_region: list[str] = field(default_factory=list)  # copies that stay in the resource's region
    gap: ReadGap | None = None  # a read gap that may hide a copy


def declared_partners(resource: Resource, zone: Zone, inventory: Inventory, copies: Copies) -> None:
    """Add the resource's declared DR partners (tag `bcdr-partner`, the zone's `partners`) to `copies`."""
    tagged = next((v.strip() for k, v in resource.tags.items() if k.lower() == PARTNER_TAG and v.strip()), None)
    declared = ((f"tag {PARTNER_TAG}", tagged), (f"zone {zone.name} partners", zone.partner_for(resource)))
    for origin, reference in declared:
        if not reference:
            continue
        partner = inventory.get(reference) if "/" in reference else None
        if partner is not None and partner.location and partner.location == resource.location:
            copies.same_region.append(f"declared partner {partner.name} ({origin}) is in the same region "
                                      f"{resource.location}")
        elif partner is not None and partner.location:
            copies.elsewhere.append(f"declared partner {partner.name} in {partner.location} ({origin})")
        else:
            copies.elsewhere.append(f"declared partner {reference} ({origin}; not in the scanned inventory, "
                                    "taken as declared)")


def unread_in_zone(inventory: Inventory, zone: Zone, resource_type: str) -> ReadGap | None:
    """A read gap that could hide a resource of this type in the zone: the type (or everything) unread
    in a subscription the zone may hold."""
    wanted = {resource_type.lower(), "*"}
    for gap in inventory.gaps:
        if gap.data.lower() not in wanted:
            continue
        sub = subscription_of(gap.scope)
        # A zone selecting subscriptions can only hold resources of those subscriptions.
        if not zone.match.subscriptions or sub is None or sub in zone.match.subscriptions:
            return gap
    return None


def zone_support_verdict(check: Check, inventory: Inventory, region: str | None, feature: str) -> Result | None:
    """Judge only what applies: in a region without availability zones `feature` cannot be configured at all,
    so the check is not applicable there (the fix, a move to another region, is the zone's region choice, not
    this setting); where the region is not known the verdict is unknown rather than a guess. None when the
    region has availability zones and the check judges the resource itself. Called only for resources that
    would otherwise fail, so a zone-redundant resource passes whatever the metadata says."""
    info: RegionInfo | None = inventory.region(region)
    if info is None:
        return check.unknown(f"availability zones of region {region or '(none given)'} (no region metadata: "
                             "neither the subscription's locations nor the bundled table name it)")
    if not info.has_availability_zones:
        return check.not_applicable(f"region {info.name} has no availability zones ({info.source} region "
                                    f"metadata): {feature} cannot be configured there")
    return None


def region_zone_evidence(inventory: Inventory, region: str | None) -> dict[str, object]:
    """Evidence for a failure judged after `zone_support_verdict`: the region has zones, and which metadata said so."""
    info = inventory.region(region)
    if info is None:
        return {}
    return {"region_has_availability_zones": info.has_availability_zones, "region_metadata": info.source}


def paired_region(inventory: Inventory, region: str | None) -> tuple[str | None, bool]:
    """(the region's pair, whether the region is known at all)."""
    info = inventory.region(region)
    return (info.paired_region if info else None), info is not None
