from __future__ import annotations

from checks.backup._vault import (
    GUIDANCE_BACKUP,
    IMMUTABILITY_DOC,
    SERVICE,
    SOFT_DELETE_DOC,
    immutability,
    judging_zone,
    soft_delete,
    vault_tier_backups,
)
from scanner.backup import VAULT_TYPES, Protection, vault_contents_gap
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource
from scanner.policy import Zone
from scanner.retention_ranges import BACKUP_SOFT_DELETE, beyond_service

# The service keeps soft-deleted backup data at least 14 days (configurable up to 180).
SERVICE_MINIMUM_DAYS = BACKUP_SOFT_DELETE.low
_LOGIC = ("fail when soft delete is off, or keeps deleted backups fewer days than min_soft_delete_days (the "
          "strictest of the vault's zone and the zones of the data it backs up); not applicable to a vault "
          "holding no vault-tier backups (soft delete does not cover the operational tier)")


class BackupSoftDeleteCheck(Check):
    id = "BAK-003"
    title = "Vault soft delete is off or too short"
    service = SERVICE
    resource_type = VAULT_TYPES
    severity = Severity.HIGH
    rationale = (
        "Backups are the last line against deletion and ransomware only if deleting them is not final. With "
        "soft delete on, deleted backup data is kept (14 days at no cost, configurable up to 180) and can be "
        "undeleted; with it off, whoever can delete the backup items destroys every recovery point at once. "
        "Soft delete covers vault-tier backups: operational-tier backups (blob operational backup, Azure Files "
        "snapshots) are protected by the source resource's own settings. Immutability (Unlocked or Locked) is "
        "reported as evidence: it stops recovery points from being deleted before they expire."
    )
    guidance = GUIDANCE_BACKUP
    logic = {strategy: _LOGIC for strategy in ("redeploy", "backup-restore", "warm-spare", "hot-spare")}
    remediation = Remediation(
        summary="Turn soft delete on for the vault with a retention of at least the zone's min_soft_delete_days "
                "(14 to 180 days), and make it always-on so that it cannot be turned off again; consider "
                "locking immutability as well.",
        portal="Backup vault (or Recovery Services vault) > Properties > Security settings > Soft delete: Enable, "
               "'Enable always-on soft delete', retention period; Immutable vault: Enable (then Lock).",
        cli="az dataprotection backup-vault update -g <rg> --vault-name <vault> --soft-delete-state AlwaysOn "
            "--retention-duration-in-days 30\n"
            "az backup vault backup-properties set -g <rg> -n <rs-vault> --soft-delete-feature-state AlwaysON "
            "--soft-delete-duration 30",
        iac="Bicep: Microsoft.DataProtection/backupVaults properties.securitySettings.softDeleteSettings: { state: "
            "'AlwaysOn', retentionDurationInDays: 30 }; Microsoft.RecoveryServices/vaults properties."
            "securitySettings.softDeleteSettings: { softDeleteState: 'AlwaysON', softDeleteRetentionPeriodInDays: 30 "
            "}; Terraform: azurerm_data_protection_backup_vault soft_delete = \"AlwaysOn\", "
            "retention_duration_in_days = 30",
    )
    references = (SOFT_DELETE_DOC, IMMUTABILITY_DOC,
                  "https://learn.microsoft.com/azure/backup/backup-azure-enhanced-soft-delete-configure-manage",
                  "https://learn.microsoft.com/azure/backup/secure-by-default")

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        contents = vault_tier_backups(
            self, resource, ctx.inventory, "holds no vault-tier backups (soft delete covers the vault "
            "tier only)")
        if isinstance(contents, Result):
            return contents
        vaulted, undecided = contents
        zone, why = self._strictest(resource, ctx, [*vaulted, *undecided])
        minimum = zone.requirements.days("min_soft_delete_days")
        if minimum <= 0:
            return self.not_applicable(f"zone {zone.name} sets min_soft_delete_days=0")
        state, days = soft_delete(resource, ctx.inventory)
        evidence = {"immutability": immutability(resource), "backups": [p.describe() for p in vaulted]}
        if state.value is None:
            return self.unknown(f"the vault's soft-delete state ({state.source})", state.gap)
        required = f"soft delete on, retained at least {max(minimum, SERVICE_MINIMUM_DAYS)} days"
        requirement = f"{zone.requirement('min_soft_delete_days')} ({why})"
        if state.value is False:
            return self.failed(
                f"soft delete is off on {resource.name}: deleting its backup items destroys their recovery points "
                f"at once ({len(vaulted)} vault-tier backup(s))",
                observed="soft delete off", required=required, requirement=requirement, **evidence)
        if days.value is None:
            return self.unknown(f"the vault's soft-delete retention ({days.source})")
        if days.value < minimum:
            message, note = beyond_service(
                f"soft delete on {resource.name} keeps deleted backups {days.value} days; {why} requires at least "
                f"{minimum}", "min_soft_delete_days", minimum, BACKUP_SOFT_DELETE)
            return self.failed(message, observed=f"soft delete on, {days.value} days", required=required,
                               requirement=requirement, severity=Severity.LOW, **evidence, **note)
        gap = vault_contents_gap(resource, ctx.inventory)
        if gap:  # a backup of a zone asking for more days may be among those not read
            return self.unknown(f"all the backups {resource.name} holds (a zone with a longer min_soft_delete_days "
                                "may own one)", gap)
        return self.passed(f"soft delete keeps deleted backups {days.value} days (at least {minimum})",
                           observed=f"soft delete on, {days.value} days", **evidence)

    @staticmethod
    def _strictest(vault: Resource, ctx: EvaluationContext, held: list[Protection]) -> tuple[Zone, str]:
        """The zone with the longest min_soft_delete_days among the vault's and its data's."""
        best: tuple[Zone, str] = (ctx.zone, f"zone {ctx.zone.name} (the vault's own)")
        threshold = ctx.zone.requirements.days("min_soft_delete_days")
        while True:
            found = judging_zone(vault, ctx.zone, held, ctx.inventory, ctx.policy,
                                 lambda z, t=threshold: z.requirements.days("min_soft_delete_days") > t)
            if found is None:
                return best
            best, threshold = found, found[0].requirements.days("min_soft_delete_days")
