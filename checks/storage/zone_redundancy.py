from __future__ import annotations

from checks.storage._replication import STORAGE_ACCOUNT, ZONE_REDUNDANT, replication, sku_name
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Inventory, Resource
from scanner.policy import Zone
from scanner.regions import RegionInfo


class StorageZoneRedundancyCheck(Check):
    id = "STG-002"
    title = "Storage account is not zone-redundant"
    service = "Storage"
    resource_type = STORAGE_ACCOUNT
    severity = Severity.MEDIUM
    rationale = (
        "LRS, GRS and RA-GRS keep the primary copies in a single datacenter: the loss of one availability "
        "zone takes the account down until Microsoft recovers it or the account is failed over. A hot-spare "
        "landing zone promises a low recovery time, so its accounts must survive a zone outage in place "
        "(ZRS, GZRS or RA-GZRS). Where the region has no availability zones this cannot be configured, and "
        "the evidence says so: the account belongs in a region with zones."
    )
    guidance = (
        "Data Lake Storage Gen2 already handles 3x replication under the hood to guard against localized "
        "hardware failures. Additionally, other replication options, such as ZRS or GZRS, improve HA, while "
        "GRS & RA-GRS improve DR."
    )
    logic = {
        "redeploy": "not applicable unless the zone overrides zone_redundancy to required",
        "backup-restore": "not applicable unless the zone overrides zone_redundancy to required",
        "warm-spare": "not applicable unless the zone overrides zone_redundancy to required",
        "hot-spare": "fail unless the SKU is ZRS, GZRS or RA-GZRS (Standard or Premium ZRS); the evidence says "
                     "when the account's region has no availability zones",
    }
    remediation = Remediation(
        summary="Convert the account to GZRS or RA-GZRS (ZRS for Premium accounts). In a region without "
                "availability zones, move the data to an account in a region that has them.",
        portal="Storage account > Data management > Redundancy > Geo-zone-redundant storage (GZRS), or "
               "request a conversion under Redundancy > Conversion.",
        cli="az storage account migration start --resource-group <rg> --account-name <account> --sku Standard_RAGZRS "
            "--no-wait",
        iac="Bicep: sku: { name: 'Standard_RAGZRS' }; Terraform: account_replication_type = \"RAGZRS\"",
    )
    references = (
        "https://learn.microsoft.com/azure/storage/common/storage-redundancy",
        "https://learn.microsoft.com/azure/storage/common/redundancy-migration",
        "https://learn.microsoft.com/azure/reliability/availability-zones-region-support",
    )

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if not zone.requirements.required("zone_redundancy"):
            return self.not_applicable(f"zone {zone.name} does not require zone redundancy")
        kind = replication(resource)
        if kind is None:
            return self.unknown("sku.name (replication setting)")
        if kind in ZONE_REDUNDANT:
            return self.passed(f"copies spread over availability zones ({sku_name(resource)})",
                               observed=sku_name(resource))
        return self._fail(resource, zone, ctx.inventory)

    def _fail(self, resource: Resource, zone: Zone, inventory: Inventory) -> Result:
        region = inventory.region(resource.location)
        where = resource.location or "an unknown region"
        message = (f"{sku_name(resource)} keeps the primary copies of {resource.name} in one datacenter of "
                   f"{where}: a zone outage makes it unavailable; zone {zone.name} ({zone.strategy}) requires "
                   "zone-redundant storage")
        extra: dict[str, object] = {}
        if region is None:
            # Unknown metadata is reported as such; it never turns the verdict into a pass.
            extra["region_has_availability_zones"] = "unknown"
            message += f" (no metadata for region {where}: whether it has availability zones is unknown)"
        else:
            extra["region_has_availability_zones"] = region.has_availability_zones
            extra["region_metadata"] = region.source
            if not region.has_availability_zones:
                alternatives = _regions_with_zones(resource, zone, region, inventory)
                extra["suggested_regions"] = alternatives
                hint = f", such as {' or '.join(alternatives)}" if alternatives else ""
                message += (f"; {where} has no availability zones, so ZRS/GZRS cannot be set there: "
                            f"move the data to an account in a region with availability zones{hint}")
        return self.failed(message, observed=sku_name(resource), required="ZRS, GZRS or RA-GZRS",
                           requirement=zone.requirement("zone_redundancy"), region=where, **extra)


def _regions_with_zones(resource: Resource, zone: Zone, region: RegionInfo, inventory: Inventory) -> list[str]:
    """Regions the zone already uses (or the paired region) that do have availability zones."""
    candidates = dict.fromkeys(n for n in (zone.primary_region, zone.secondary_region, region.paired_region)
                               if n and n != resource.location)
    return [name for name in candidates if _has_zones(inventory.region(name))]


def _has_zones(info: RegionInfo | None) -> bool:
    return bool(info and info.has_availability_zones)
