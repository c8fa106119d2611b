from __future__ import annotations

from checks.sql._backups import long_term_retention_verdict
from checks.sql._common import GUIDANCE_SQL, LONG_TERM_RETENTION, SqlDatabaseCheck
from scanner.check import EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource


class SqlLongTermRetentionCheck(SqlDatabaseCheck):
    id = "SQL-007"
    title = "SQL database keeps no long-term backups"
    severity = Severity.MEDIUM
    rationale = (
        "Point-in-time backups expire after at most 35 days. Long-term retention (LTR) keeps weekly, "
        "monthly or yearly full backups for up to 10 years, so data can be recovered long after the "
        "short-term window has closed (late-found corruption, audits, legal holds). A "
        "policy with weekly, monthly and yearly retention all unset (or PT0S) keeps nothing."
    )
    guidance = (
        f"{GUIDANCE_SQL}\n\n"
        "Backup and Restore: In this approach, the database application is restored from the last backup "
        "copy before the disaster. This approach is commonly used following data corruption or accidental "
        "deletion."
    )
    logic = {
        "redeploy": "not applicable unless the zone sets long_term_retention: required",
        "backup-restore": "where long_term_retention is required: fail when weekly, monthly and yearly "
                          "retention are all unset or PT0S",
        "warm-spare": "as backup-restore",
        "hot-spare": "as backup-restore",
    }
    remediation = Remediation(
        summary="Configure a long-term retention policy on the database (for example 12 weekly, 12 monthly "
                "and 5 yearly backups) that matches the zone's retention obligations.",
        portal="SQL server > Data management > Backups > Retention policies > select the database > "
               "Configure policies > Long-term retention (weekly, monthly, yearly).",
        cli="az sql db ltr-policy set -g <rg> -s <server> -n <database> --weekly-retention P12W "
            "--monthly-retention P12M --yearly-retention P5Y --week-of-year 1",
        iac="Bicep: Microsoft.Sql/servers/databases/backupLongTermRetentionPolicies 'default' with "
            "weeklyRetention: 'P12W', monthlyRetention: 'P12M', yearlyRetention: 'P5Y', weekOfYear: 1; "
            "Terraform: azurerm_mssql_database long_term_retention_policy { weekly_retention = \"P12W\", "
            "monthly_retention = \"P12M\", yearly_retention = \"P5Y\", week_of_year = 1 }",
    )
    references = (
        "https://learn.microsoft.com/azure/azure-sql/database/long-term-retention-overview",
        "https://learn.microsoft.com/azure/azure-sql/database/long-term-backup-retention-configure",
    )

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        return long_term_retention_verdict(self, resource, ctx, "database", LONG_TERM_RETENTION)
