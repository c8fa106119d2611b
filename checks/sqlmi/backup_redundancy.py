from __future__ import annotations

from checks.sql._common import backup_redundancy
from checks.sqlmi._instance import BACKUP_DOC, RELIABILITY_DOC, ManagedInstanceCheck, group_roles
from scanner.check import EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource

_GEO = frozenset({"geo", "geozone"})
_SINGLE_REGION = frozenset({"local", "zone"})


class ManagedInstanceBackupRedundancyCheck(ManagedInstanceCheck):
    id = "SQLMI-002"
    title = "SQL managed instance backups stay in one region"
    severity = Severity.HIGH
    rationale = (
        "A managed instance keeps its full, differential and log backups on storage whose redundancy is chosen "
        "per instance: Local, Zone, Geo or GeoZone. Only Geo and GeoZone copy them to the paired region, and "
        "geo-restore, the recovery after a regional outage when no failover group exists, restores only from "
        "such backups. In a backup-restore zone they are the copy outside the region."
    )
    guidance = (
        "Backup and Restore: In this approach, the database application is restored from the last backup copy "
        "before the disaster."
    )
    logic = {
        "redeploy": "not applicable unless the zone overrides geo_redundancy to required",
        "backup-restore": "fail when the backup storage redundancy (requested, else current) is Local or Zone; not "
                          "applicable to a failover group's geo-secondary",
        "warm-spare": "as backup-restore",
        "hot-spare": "as backup-restore",
    }
    remediation = Remediation(
        summary="Change the instance's backup storage redundancy to GeoZone (Geo where the region has no "
                "availability zones). The change applies to backups taken after it.",
        portal="SQL managed instance > Settings > Compute + storage > Backup storage redundancy: Geo-zone-redundant.",
        cli="az sql mi update -g <rg> -n <instance> --backup-storage-redundancy GeoZone",
        iac="Bicep: properties.requestedBackupStorageRedundancy: 'GeoZone'; Terraform: "
            "azurerm_mssql_managed_instance storage_account_type = \"GZRS\"",
    )
    references = (BACKUP_DOC, RELIABILITY_DOC)

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if not zone.requirements.required("geo_redundancy"):
            return self.not_applicable(f"zone {zone.name} does not require geo-redundancy")
        if secondary := self.secondary_verdict(group_roles(ctx, resource)):
            return secondary
        value, source = backup_redundancy(resource)
        if value is None:
            return self.unknown("requestedBackupStorageRedundancy / currentBackupStorageRedundancy")
        if value.lower() in _GEO:
            return self.passed(f"backups are geo-redundant ({value})", observed=value, source=source)
        if value.lower() not in _SINGLE_REGION:
            return self.unknown(f"a known backup storage redundancy (got {value!r})")
        return self.failed(
            f"backups of managed instance {resource.name} are kept on {value} storage in {resource.location}: a "
            f"regional outage loses them and geo-restore is impossible; zone {zone.name} ({zone.strategy}) "
            "requires a copy in another region",
            observed=f"{value} ({source})",
            required="Geo or GeoZone",
            requirement=zone.requirement("geo_redundancy"),
        )
