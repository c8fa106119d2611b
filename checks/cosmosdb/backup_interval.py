from __future__ import annotations

from datetime import timedelta

from checks.cosmosdb._account import (
    BACKUP_RESTORE,
    CONTINUOUS,
    DATABASE_ACCOUNT,
    GUIDANCE_SECTION,
    backup_policy,
    read_gap,
)
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource
from scanner.policy import Strategy, format_duration


class CosmosBackupIntervalCheck(Check):
    id = "COS-006"
    title = "Cosmos DB backup interval longer than the zone's RPO"
    service = "Cosmos DB"
    resource_type = DATABASE_ACCOUNT
    severity = Severity.HIGH
    rationale = (
        "In a backup-restore zone the last backup is the recovery point. Periodic mode takes a backup every "
        "backupIntervalInMinutes, so a restore can lose up to one interval of writes: an interval longer "
        "than the RPO breaks it by design. Continuous backup restores to any second within its retention "
        "window (7 or 30 days) and meets any RPO the zone can state."
    )
    guidance = (
        f"{GUIDANCE_SECTION}\n\n{BACKUP_RESTORE}\n\n"
        "Each Data Landing Zone must decide on the Recovery Point Objective for their Data Integration(s) and "
        "Data Products and defined a replication strategy for their use cases."
    )
    logic = {
        "redeploy": "not applicable",
        "backup-restore": "fail when periodic backupIntervalInMinutes exceeds the zone's RPO; continuous backup "
                          "passes",
        "warm-spare": "not applicable (live replicas, not backups, set the recovery point)",
        "hot-spare": "not applicable (live replicas, not backups, set the recovery point)",
    }
    remediation = Remediation(
        summary="Move the account to continuous backup (point-in-time restore), or shorten the periodic "
                "backup interval to at most the zone's RPO (the minimum is 60 minutes).",
        portal="Azure Cosmos DB account > Settings > Backup & Restore > Backup policy mode > Continuous (7 days) "
               "> Save; or, in Periodic mode, set Backup Interval to the RPO or less.",
        cli="az cosmosdb update -g <rg> -n <account> --backup-policy-type Continuous --continuous-tier "
            "Continuous7Days\naz cosmosdb update -g <rg> -n <account> --backup-interval 60",
        iac="Bicep: properties.backupPolicy: { type: 'Continuous', continuousModeProperties: { tier: "
            "'Continuous7Days' } } (or periodicModeProperties.backupIntervalInMinutes); Terraform "
            "(azurerm_cosmosdb_account): backup { type = \"Continuous\", tier = \"Continuous7Days\" } (or "
            "interval_in_minutes)",
    )
    references = (
        "https://learn.microsoft.com/azure/cosmos-db/periodic-backup-restore-introduction",
        "https://learn.microsoft.com/azure/cosmos-db/periodic-backup-modify-interval-retention",
        "https://learn.microsoft.com/azure/cosmos-db/continuous-backup-restore-introduction",
        "https://learn.microsoft.com/azure/cosmos-db/migrate-continuous-backup",
    )

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if zone.strategy != Strategy.BACKUP_RESTORE:
            return self.not_applicable(f"zone {zone.name} ({zone.strategy}) does not recover from backups")
        policy = backup_policy(resource)
        if policy is None:
            return self.unknown("properties.backupPolicy", read_gap(resource, ctx.inventory))
        if policy.type is None:
            return self.unknown("properties.backupPolicy.type (Periodic or Continuous)")
        if policy.type == CONTINUOUS:
            tier = policy.continuous_tier or "tier not reported"
            return self.passed(f"continuous backup ({tier}) restores to any point in time within its retention",
                               observed=f"Continuous ({tier})", rpo=format_duration(zone.rpo))
        minutes = policy.periodic.get("backupIntervalInMinutes")
        if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
            return self.unknown("properties.backupPolicy.periodicModeProperties.backupIntervalInMinutes")
        interval = timedelta(minutes=minutes)
        if interval <= zone.rpo:
            return self.passed(f"a periodic backup every {format_duration(interval)} is within the RPO of "
                               f"{format_duration(zone.rpo)}", observed=minutes, rpo=format_duration(zone.rpo))
        return self.failed(
            f"a periodic backup every {format_duration(interval)} can lose up to {format_duration(interval)} of "
            f"writes; zone {zone.name} accepts at most {format_duration(zone.rpo)}",
            observed=f"backupIntervalInMinutes {minutes}",
            required=f"at most {int(zone.rpo.total_seconds() // 60)} minutes (RPO {format_duration(zone.rpo)}), "
                     "or continuous backup",
            requirement=f"rpo={format_duration(zone.rpo)} ({zone.strategy})",
        )
