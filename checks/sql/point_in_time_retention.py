from __future__ import annotations

from checks.sql._backups import point_in_time_window_verdict
from checks.sql._common import GUIDANCE_SQL, SHORT_TERM_RETENTION, SqlDatabaseCheck, service_tier
from scanner.check import EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource
from scanner.retention_ranges import SQL_BASIC_PITR

# The Basic tier keeps point-in-time backups for at most 7 days.
_BASIC_MAX_DAYS = SQL_BASIC_PITR.high


class SqlPointInTimeRetentionCheck(SqlDatabaseCheck):
    id = "SQL-006"
    title = "SQL point-in-time restore window shorter than the zone requires"
    severity = Severity.LOW
    rationale = (
        "Point-in-time restore recovers a database to any moment within its short-term retention "
        "(1 to 35 days, 7 by default). It is the way back from corruption, a bad deployment or an "
        "accidental delete, which replicas copy faithfully to the secondary. A window shorter than the "
        "zone's min_pitr_days means such damage noticed late cannot be undone."
    )
    guidance = (
        f"{GUIDANCE_SQL}\n\n"
        "Backup and Restore: In this approach, the database application is restored from the last backup "
        "copy before the disaster. This approach is commonly used following data corruption or accidental "
        "deletion."
    )
    logic = {
        "redeploy": "fail when backupShortTermRetentionPolicies/default retentionDays < min_pitr_days "
                    "(default 7); not applicable when the zone sets min_pitr_days: 0",
        "backup-restore": "as redeploy",
        "warm-spare": "as redeploy",
        "hot-spare": "as redeploy",
    }
    remediation = Remediation(
        summary="Raise the database's point-in-time restore retention to at least the zone's min_pitr_days "
                "(up to 35 days; Basic databases keep at most 7, so change the tier for more).",
        portal="SQL server > Data management > Backups > Retention policies > select the database > "
               "Configure policies > Point-in-time restore (days).",
        cli="az sql db str-policy set -g <rg> -s <server> -n <database> --retention-days 14 "
            "--diffbackup-hours 12",
        iac="Bicep: Microsoft.Sql/servers/databases/backupShortTermRetentionPolicies 'default' with "
            "properties.retentionDays: 14; Terraform: azurerm_mssql_database short_term_retention_policy "
            "{ retention_days = 14 }",
    )
    references = (
        "https://learn.microsoft.com/azure/azure-sql/database/automated-backups-overview",
        "https://learn.microsoft.com/azure/azure-sql/database/automated-backups-change-settings",
        "https://learn.microsoft.com/azure/azure-sql/database/recovery-using-backups",
    )

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        minimum = ctx.zone.requirements.days("min_pitr_days")
        notes = {}
        if (service_tier(resource) or "").lower() == "basic" and minimum > _BASIC_MAX_DAYS:
            notes["note"] = f"the Basic tier keeps at most {_BASIC_MAX_DAYS} days: change the tier"
        return point_in_time_window_verdict(self, resource, ctx, "database", SHORT_TERM_RETENTION, **notes)
