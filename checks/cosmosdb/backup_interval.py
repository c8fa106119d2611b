from __future__ import annotations

from datetime import timedelta

from checks.cosmosdb._account import (
    ASSUMED_DEFAULT,
    BACKUP_RESTORE,
    CONTINUOUS,
    DATABASE_ACCOUNT,
    DEFAULT_BACKUP_DOC,
    GUIDANCE_SECTION,
    MAX_INTERVAL_MINUTES,
    MIN_INTERVAL_MINUTES,
    backup_interval_minutes,
    backup_policy,
    read_gap,
)
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity, Status
from scanner.errors import shown
from scanner.model import Resource
from scanner.policy import Strategy, format_duration

_INTERVAL = "properties.backupPolicy.periodicModeProperties.backupIntervalInMinutes"


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
                          "passes; an account document without backupPolicy is judged on Azure's default (240 "
                          "minutes), and the evidence says so",
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
        DEFAULT_BACKUP_DOC,
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
        minutes = backup_interval_minutes(policy)
        if minutes is None:
            return self.unknown(_INTERVAL)
        if not MIN_INTERVAL_MINUTES <= minutes <= MAX_INTERVAL_MINUTES:
            # Azure refuses such an interval, so the document is not what Azure returned: no verdict on it.
            return Result(Status.UNKNOWN, f"cannot judge: {_INTERVAL} is {shown(minutes, 20)}, outside the "
                          f"{MIN_INTERVAL_MINUTES} to {MAX_INTERVAL_MINUTES} minutes Azure allows", {
                              "missing": f"a valid {_INTERVAL}", "observed": shown(minutes, 20)})
        interval = timedelta(minutes=minutes)
        assumed = {"assumed_default": ASSUMED_DEFAULT} if policy.assumed_default else {}
        default_note = " (Azure's default: the account document states no backup policy)" if assumed else ""
        if interval <= zone.rpo:
            return self.passed(f"a periodic backup every {format_duration(interval)}{default_note} is within the RPO "
                               f"of {format_duration(zone.rpo)}", observed=minutes, rpo=format_duration(zone.rpo),
                               **assumed)
        return self.failed(
            f"a periodic backup every {format_duration(interval)}{default_note} can lose up to "
            f"{format_duration(interval)} of writes; zone {zone.name} accepts at most {format_duration(zone.rpo)}",
            observed=f"backupIntervalInMinutes {minutes}",
            required=f"at most {int(zone.rpo.total_seconds() // 60)} minutes (RPO {format_duration(zone.rpo)}), "
                     "or continuous backup",
            requirement=f"rpo={format_duration(zone.rpo)} ({zone.strategy})",
            **assumed,
        )
