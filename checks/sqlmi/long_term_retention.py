from __future__ import annotations

from typing import ClassVar

from checks.sql._backups import long_term_retention_verdict
from checks.sqlmi._instance import LONG_TERM_RETENTION, LTR_DOC, MANAGED_DATABASE, SERVICE
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource


class ManagedDatabaseLongTermRetentionCheck(Check):
    id = "SQLMI-005"
    title = "Managed database keeps no long-term backups"
    service: ClassVar[str] = SERVICE
    resource_type: ClassVar[str] = MANAGED_DATABASE
    severity = Severity.MEDIUM
    rationale = (
        "Point-in-time backups expire after at most 35 days. Long-term retention keeps weekly, monthly or yearly "
        "full backups of a managed database for up to 10 years, for corruption found late, audits and legal "
        "holds. A policy whose weekly, monthly and yearly retention are all unset (or PT0S) keeps nothing."
    )
    guidance = (
        "Backup and Restore: In this approach, the database application is restored from the last backup copy "
        "before the disaster. This approach is commonly used following data corruption or accidental deletion."
    )
    logic = {
        "redeploy": "not applicable unless the zone sets long_term_retention: required",
        "backup-restore": "where long_term_retention is required: fail when weekly, monthly and yearly retention "
                          "are all unset or PT0S",
        "warm-spare": "as backup-restore",
        "hot-spare": "as backup-restore",
    }
    remediation = Remediation(
        summary="Configure a long-term retention policy on the managed database (for example 12 weekly, 12 monthly "
                "and 5 yearly backups) matching the zone's retention obligations.",
        portal="SQL managed instance > Data management > Backups > Retention policies > select the database > "
               "Configure policies > Long-term retention.",
        cli="az sql midb ltr-policy set -g <rg> --mi <instance> -n <database> --weekly-retention P12W "
            "--monthly-retention P12M --yearly-retention P5Y --week-of-year 1",
        iac="Bicep: Microsoft.Sql/managedInstances/databases/backupLongTermRetentionPolicies 'default' with "
            "weeklyRetention, monthlyRetention, yearlyRetention, weekOfYear; Terraform: azurerm_mssql_managed_database "
            "long_term_retention_policy { weekly_retention = \"P12W\", ... }",
    )
    references = (LTR_DOC,)

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        return long_term_retention_verdict(self, resource, ctx, "managed database", LONG_TERM_RETENTION)
