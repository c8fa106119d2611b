"""What the data-landing-zone checks share: declared DR partners, read gaps that may hide a copy, and
what a region offers (availability zones, a paired region).

A copy outside the scan (another tenant, a subscription or resource group not scanned) can only be
known if the policy or the resource declares it: the tag `bcdr-partner` on the resource, or the zone's
`partners` map. A declared partner that the inventory shows in the resource's own region is no copy
elsewhere; one the inventory does not hold is taken as declared, and the evidence says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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


def region_note(inventory: Inventory, region: str | None, feature: str) -> tuple[str, dict[str, object]]:
    """A sentence and evidence on whether `feature` (zone redundancy) can exist in the region at all."""
    info: RegionInfo | None = inventory.region(region)
    if info is None:
        return (f"Whether {region or 'the region'} has availability zones is not known (no region metadata).",
                {"region_has_availability_zones": "unknown"})
    evidence: dict[str, object] = {"region_has_availability_zones": info.has_availability_zones,
                                   "region_metadata": info.source}
    if not info.has_availability_zones:
        return (f"Region {info.name} has no availability zones: {feature} is impossible there; the resource "
                "belongs in a region with availability zones.", evidence)
    return "", evidence


def paired_region(inventory: Inventory, region: str | None) -> tuple[str | None, bool]:
    """(the region's pair, whether the region is known at all)."""
    info = inventory.region(region)
    return (info.paired_region if info else None), info is not None
