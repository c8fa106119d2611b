from __future__ import annotations

from checks.backup._vault import (
    BACKUP_VAULT_DOC,
    CRR_DOC,
    RELIABILITY_DOC,
    SERVICE,
    cross_region_restore,
    is_geo,
    judging_zone,
    redundancy,
    vault_tier_backups,
)
from scanner.backup import VAULT_TYPES, vault_contents_gap
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource
from scanner.policy import Strategy, format_duration

_LOGIC = ("fail when a geo-redundant vault holding vault-tier backups has cross-region restore disabled; not "
          "applicable to vaults that are not geo-redundant (BAK-001) or hold no vault-tier backups")


class BackupCrossRegionRestoreCheck(Check):
    id = "BAK-002"
    title = "Geo-redundant vault cannot restore in the secondary region on demand"
    service = SERVICE
    resource_type = VAULT_TYPES
    severity = Severity.MEDIUM
    rationale = (
        "A geo-redundant vault replicates its backups to the paired region, but without cross-region restore "
        "those secondary copies can be restored only after Microsoft declares a disaster in the primary region. "
        "Microsoft documents no time bound for that declaration, so no recovery time can be promised from them: "
        "a warm-spare or hot-spare zone, whose RTO assumes recovery can start at once, cannot count on them. "
        "With cross-region restore enabled the secondary copies can be restored at any time, including for "
        "recovery drills."
    )
    guidance = (
        "Warm Spare (Active/Passive): A secondary hosted service is created in an alternate region, and roles are "
        "deployed to guarantee minimal capacity; however, the roles don't receive production traffic.\n\n"
        "Hot Spare (Active/Active): The application is designed to receive production load in multiple regions."
    )
    logic = {
        "redeploy": "not applicable",
        "backup-restore": "not applicable (a declared outage is the event the zone plans to restore after)",
        "warm-spare": _LOGIC,
        "hot-spare": _LOGIC,
    }
    remediation = Remediation(
        summary="Enable cross-region restore on the vault, then restore a recovery point in the secondary region "
                "as a drill.",
        portal="Backup vault > Properties > Cross Region Restore > Enable; Recovery Services vault > Properties > "
               "Backup Configuration > Cross Region Restore: Enable.",
        cli="az dataprotection backup-vault update -g <rg> --vault-name <vault> --cross-region-restore-state Enabled\n"
            "az backup vault backup-properties set -g <rg> -n <rs-vault> --cross-region-restore-flag true",
        iac="Bicep: Microsoft.DataProtection/backupVaults properties.featureSettings.crossRegionRestoreSettings."
            "state: 'Enabled'; Microsoft.RecoveryServices/vaults properties.redundancySettings.crossRegionRestore: "
            "'Enabled'; Terraform: cross_region_restore_enabled = true",
    )
    references = (CRR_DOC, BACKUP_VAULT_DOC, RELIABILITY_DOC,
                  "https://learn.microsoft.com/azure/backup/backup-azure-arm-restore-vms#cross-region-restore")

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        contents = vault_tier_backups(
            self, resource, ctx.inventory, "holds no vault-tier backups")
        if isinstance(contents, Result):
            return contents
        vaulted, undecided = contents
        found = judging_zone(resource, ctx.zone, [*vaulted, *undecided], ctx.inventory, ctx.policy,
                             lambda z: z.strategy.at_least(Strategy.WARM_SPARE))
        if found is None:
            gap = vault_contents_gap(resource, ctx.inventory)
            if gap:  # backups of a warm- or hot-spare zone may be among those not read
                return self.unknown(f"all the backups {resource.name} holds (a warm- or hot-spare zone may own one)",
                                    gap)
            return self.not_applicable(f"neither zone {ctx.zone.name} nor the zones of the data in {resource.name} "
                                       "are warm-spare or hot-spare")
        zone, why = found
        storage = redundancy(resource, ctx.inventory)
        geo = is_geo(storage)
        if geo is None:
            return self.unknown(f"the vault's storage redundancy ({storage.source})", storage.gap)
        if not geo:
            return self.not_applicable(f"{resource.name} is {storage.value}: no secondary copy (BAK-001 judges that)")
        crr = cross_region_restore(resource, ctx.inventory)
        if crr.value is None:
            return self.unknown(f"the vault's cross-region restore setting ({crr.source})", crr.gap)
        if crr.value:
            return self.passed(f"{resource.name} can restore its geo-redundant backups in the paired region at any "
                               "time (cross-region restore enabled)", observed="Enabled")
        return self.failed(
            f"{resource.name} replicates {len(vaulted)} vault-tier backup(s) to the paired region, but without "
            "cross-region restore they can be restored there only after Microsoft declares a regional outage, "
            f"with no documented time bound; {why} is {zone.strategy} with an RTO of {format_duration(zone.rto)}",
            observed="cross-region restore disabled", required="cross-region restore enabled",
            requirement=f"restore in the paired region at any time ({zone.strategy}, "
                        f"RTO {format_duration(zone.rto)}; {why})",
            backups=[p.describe() for p in vaulted],
        )
