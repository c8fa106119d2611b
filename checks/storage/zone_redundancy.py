from __future__ import annotations

from checks._dr import region_zone_evidence, zone_support_verdict
from checks.storage._replication import STORAGE_ACCOUNT, ZONE_REDUNDANT, replication, sku_name
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Inventory, Resource
from scanner.policy import Zone


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
        "(ZRS, GZRS or RA-GZRS). Where the region has no availability zones zone redundancy cannot be "
        "configured, so the check does not apply there."
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
        "hot-spare": "fail unless the SKU is ZRS, GZRS or RA-GZRS (Standard or Premium ZRS); not applicable in a "
                     "region without availability zones; unknown when the region is not known",
    }
    remediation = Remediation(
        summary="Convert the account to GZRS or RA-GZRS (ZRS for Premium accounts).",
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
        if verdict := zone_support_verdict(self, inventory, resource.location, "zone-redundant storage"):
            return verdict
        return self.failed(
            f"{sku_name(resource)} keeps the primary copies of {resource.name} in one datacenter of "
            f"{resource.location}: a zone outage makes it unavailable; zone {zone.name} ({zone.strategy}) requires "
            "zone-redundant storage",
            observed=sku_name(resource), required="ZRS, GZRS or RA-GZRS",
            requirement=zone.requirement("zone_redundancy"), region=resource.location,
            **region_zone_evidence(inventory, resource.location),
        )
