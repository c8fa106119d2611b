from __future__ import annotations

from checks.sql._backups import backup_redundancy_verdict
from checks.sql._common import GUIDANCE_SQL, SqlDatabaseCheck
from scanner.check import EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource


class SqlBackupRedundancyCheck(SqlDatabaseCheck):
    id = "SQL-003"
    title = "SQL database backups stay in one region"
    severity = Severity.HIGH
    rationale = (
        "Azure SQL Database keeps its full, differential and log backups in storage whose redundancy is "
        "chosen per database. Only geo-redundant (Geo or GeoZone) backup storage is copied to the paired "
        "region, and geo-restore, the recovery of last resort after a regional outage, can only restore "
        "from such backups. With Local or Zone backup storage a lost region takes every backup with it, "
        "whatever else the database has."
    )
    guidance = (
        f"{GUIDANCE_SQL}\n\n"
        "Backup and Restore: In this approach, the database application is restored from the last backup "
        "copy before the disaster."
    )
    logic = {
        "redeploy": "not applicable unless the zone overrides geo_redundancy to required",
        "backup-restore": "fail when backup storage redundancy is Local or Zone",
        "warm-spare": "fail when backup storage redundancy is Local or Zone",
        "hot-spare": "fail when backup storage redundancy is Local or Zone",
    }
    remediation = Remediation(
        summary="Change the database's backup storage redundancy to geo-zone-redundant (GeoZone) or "
                "geo-redundant (Geo). The change applies to backups taken after it; older backups keep "
                "their redundancy until they expire.",
        portal="SQL database > Settings > Compute + storage > Backup storage redundancy: "
               "Geo-zone-redundant backup storage.",
        cli="az sql db update -g <rg> -s <server> -n <database> --backup-storage-redundancy GeoZone",
        iac="Bicep: properties.requestedBackupStorageRedundancy: 'GeoZone'; Terraform: azurerm_mssql_database "
            "storage_account_type = \"GeoZone\"",
    )
    references = (
        "https://learn.microsoft.com/azure/azure-sql/database/automated-backups-overview",
        "https://learn.microsoft.com/azure/azure-sql/database/recovery-using-backups",
        "https://learn.microsoft.com/azure/azure-sql/database/automated-backups-change-settings",
    )

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        if not ctx.zone.requirements.required("geo_redundancy"):
            return self.not_applicable(f"zone {ctx.zone.name} does not require geo-redundancy")
        return backup_redundancy_verdict(self, resource, ctx, "database")
