from __future__ import annotations

from checks.sql._backups import backup_redundancy_verdict
from checks.sqlmi._instance import BACKUP_DOC, RELIABILITY_DOC, ManagedInstanceCheck, group_roles
from scanner.check import EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource


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
        if not ctx.zone.requirements.required("geo_redundancy"):
            return self.not_applicable(f"zone {ctx.zone.name} does not require geo-redundancy")
        if secondary := self.secondary_verdict(group_roles(ctx, resource)):
            return secondary
        return backup_redundancy_verdict(self, resource, ctx, "managed instance")
