from __future__ import annotations

from typing import Any

from checks._dr import region_zone_evidence, zone_support_verdict
from checks.sql._common import backup_redundancy
from checks.sqlmi._instance import RELIABILITY_DOC, ZONE_DOC, ManagedInstanceCheck
from scanner.check import EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource

_ZONE_BACKUPS = frozenset({"zone", "geozone"})
# Zone redundancy can only be enabled on an instance whose backup storage is Zone or GeoZone
# (instance-zone-redundancy-configure, "Considerations"): Local or Geo backups rule it out.
_NO_ZONE_BACKUPS = frozenset({"local", "geo"})


class ManagedInstanceZoneRedundancyCheck(ManagedInstanceCheck):
    id = "SQLMI-003"
    title = "SQL managed instance is not zone redundant"
    severity = Severity.MEDIUM
    rationale = (
        "A managed instance that is not zone redundant runs in one datacenter of its region: an availability-zone "
        "outage stops it, and a hot-spare zone then fails over across regions for what the region could absorb. "
        "Zone redundancy is offered for Business Critical and General Purpose instances in regions with "
        "availability zones, not for Next-gen General Purpose, and needs Zone or GeoZone backup storage: an "
        "instance whose backups are Local or Geo is not zone redundant, even where ARM leaves zoneRedundant out."
    )
    guidance = (
        "High availability (HA) and disaster recovery (DR) can sometimes be combined, although each has a slightly "
        "different strategy, especially when it comes to data."
    )
    logic = {
        "redeploy": "not applicable unless the zone overrides zone_redundancy to required",
        "backup-restore": "not applicable unless the zone overrides zone_redundancy to required",
        "warm-spare": "not applicable unless the zone overrides zone_redundancy to required",
        "hot-spare": "fail when zoneRedundant is false, or not reported while the backup storage in effect is "
                     "Local or Geo (zone redundancy requires Zone or GeoZone backup storage); unknown when "
                     "zoneRedundant is not reported and the backups are Zone or GeoZone; not applicable to Next-gen "
                     "General Purpose instances (isGeneralPurposeV2: zone redundancy is not offered) and in a region "
                     "without availability zones (unknown when the region is not known); the evidence says when the "
                     "backup storage must change first",
    }
    remediation = Remediation(
        summary="Enable zone redundancy on the instance (an online scaling operation). Set the backup storage "
                "redundancy to Zone or GeoZone first.",
        portal="SQL managed instance > Settings > Compute + storage > Zone redundancy: Enabled.",
        cli="az sql mi update -g <rg> -n <instance> --backup-storage-redundancy GeoZone\n"
            "az sql mi update -g <rg> -n <instance> --zone-redundant true   # once the first update has completed",
        iac="Bicep: properties.zoneRedundant: true, requestedBackupStorageRedundancy: 'GeoZone'; Terraform: "
            "azurerm_mssql_managed_instance zone_redundant_enabled = true",
    )
    references = (RELIABILITY_DOC, ZONE_DOC)

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if not zone.requirements.required("zone_redundancy"):
            return self.not_applicable(f"zone {zone.name} does not require zone redundancy")
        if resource.prop("isGeneralPurposeV2") is True:
            return self.not_applicable("Next-gen General Purpose instance: zone redundancy is not offered for it "
                                       "(Business Critical and General Purpose have it)")
        value = resource.prop("zoneRedundant")
        observed = "zoneRedundant: false"
        if value is None:
            # Microsoft's own example payloads leave the field out; Local or Geo backup storage still decides it.
            backups = _backups_ruling_out_zones(resource)
            if backups is None:
                return self.unknown("properties.zoneRedundant (not reported, and the backup storage does not rule "
                                    "zone redundancy out)")
            observed = f"zoneRedundant not reported; {backups[0]}: {backups[1]}"
        elif not isinstance(value, bool):
            return self.unknown("properties.zoneRedundant (true or false)")
        elif value:
            return self.passed("the instance is zone redundant", observed=True)
        if verdict := zone_support_verdict(self, ctx.inventory, resource.location, "zone redundancy"):
            return verdict
        note, evidence = _how_to_fix(resource, ctx)
        return self.failed(
            f"managed instance {resource.name} runs in one availability zone of {resource.location}; zone "
            f"{zone.name} ({zone.strategy}) requires zone redundancy. {note}",
            observed=observed,
            required="zoneRedundant: true",
            requirement=zone.requirement("zone_redundancy"),
            **evidence,
        )


def _backups_ruling_out_zones(instance: Resource) -> tuple[str, str] | None:
    """(property, value) of the backup storage redundancy in effect (current, else requested) when it rules
    zone redundancy out (Local, Geo); None otherwise."""
    for name in ("currentBackupStorageRedundancy", "requestedBackupStorageRedundancy"):
        value = instance.prop(name)
        if isinstance(value, str) and value.strip():
            return (name, value) if value.lower() in _NO_ZONE_BACKUPS else None
    return None


def _how_to_fix(instance: Resource, ctx: EvaluationContext) -> tuple[str, dict[str, Any]]:
    redundancy, _ = backup_redundancy(instance)
    evidence = {**region_zone_evidence(ctx.inventory, instance.location),
                "service_tier": (instance.sku or {}).get("tier"), "backup_storage_redundancy": redundancy}
    if redundancy and redundancy.lower() not in _ZONE_BACKUPS:
        return (f"Zone redundancy needs Zone or GeoZone backup storage (now {redundancy}): change it, then enable "
                "zone redundancy.", evidence)
    return "Enable zone redundancy on the instance.", evidence
