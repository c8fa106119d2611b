from __future__ import annotations

from typing import ClassVar

from checks.sql._backups import point_in_time_window_verdict
from checks.sqlmi._instance import BACKUP_DOC, MANAGED_DATABASE, SERVICE, SHORT_TERM_RETENTION
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource


class ManagedDatabasePointInTimeRetentionCheck(Check):
    id = "SQLMI-004"
    title = "Managed database point-in-time restore window shorter than the zone requires"
    service: ClassVar[str] = SERVICE
    resource_type: ClassVar[str] = MANAGED_DATABASE
    severity = Severity.LOW
    rationale = (
        "Point-in-time restore recovers a managed database to any moment within its short-term retention, set "
        "per database: 1 to 35 days, 7 by default. It is the way back from corruption or a mistaken delete, "
        "which a failover group copies faithfully to the secondary. A window shorter than the zone's "
        "min_pitr_days means such damage noticed late cannot be undone."
    )
    guidance = (
        "Backup and Restore: In this approach, the database application is restored from the last backup copy "
        "before the disaster. This approach is commonly used following data corruption or accidental deletion."
    )
    logic = {
        "redeploy": "fail when backupShortTermRetentionPolicies/default retentionDays < min_pitr_days (default 7); "
                    "not applicable when the zone sets min_pitr_days: 0",
        "backup-restore": "as redeploy",
        "warm-spare": "as redeploy",
        "hot-spare": "as redeploy",
    }
    remediation = Remediation(
        summary="Raise the database's point-in-time restore retention to at least the zone's min_pitr_days (up to "
                "35 days).",
        portal="SQL managed instance > Data management > Backups > Retention policies > select the database > "
               "Configure policies > Point-in-time restore (days).",
        cli="az sql midb short-term-retention-policy set -g <rg> --mi <instance> -n <database> --retention-days 14",
        iac="Bicep: Microsoft.Sql/managedInstances/databases/backupShortTermRetentionPolicies 'default' with "
            "properties.retentionDays: 14; Terraform: azurerm_mssql_managed_database short_term_retention_days = 14",
    )
    references = (BACKUP_DOC,
                  "https://learn.microsoft.com/azure/azure-sql/managed-instance/point-in-time-restore")

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        return point_in_time_window_verdict(self, resource, ctx, "managed database", SHORT_TERM_RETENTION)
