from __future__ import annotations

from checks.backup._vault import (
    BACKUP_VAULT_DOC,
    GUIDANCE_BACKUP,
    REDUNDANCY_DOC,
    RELIABILITY_DOC,
    SERVICE,
    is_geo,
    judging_zone,
    redundancy,
    vault_tier_backups,
)
from scanner.backup import VAULT_TYPES, vault_contents_gap
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource
from scanner.policy import Zone

_LOGIC = ("fail when a vault holding vault-tier backups keeps them locally or zone-redundant; not applicable to "
          "an empty vault or one holding operational-tier backups only")


class BackupVaultRedundancyCheck(Check):
    id = "BAK-001"
    title = "Backup vault keeps its backups in one region"
    service = SERVICE
    resource_type = VAULT_TYPES
    severity = Severity.HIGH
    rationale = (
        "A vault stores its vault-tier recovery points with the redundancy chosen for it: locally redundant "
        "storage keeps three copies in one datacenter, zone-redundant storage three copies across the zones of "
        "one region; only geo-redundant storage replicates them to the paired region. A regional disaster "
        "takes the data and its only backups together when the vault is not geo-redundant, so a landing zone "
        "that requires geo-redundancy needs GRS vaults for the backups it restores from. Operational-tier "
        "backups (blob point-in-time restore, snapshots) stay in the source resource whatever the vault's "
        "redundancy: a vault holding only those, or nothing, is not judged."
    )
    guidance = GUIDANCE_BACKUP
    logic = {
        "redeploy": "not applicable unless geo_redundancy is required by the zone or by the zone of data the vault "
                    "backs up",
        "backup-restore": _LOGIC,
        "warm-spare": _LOGIC,
        "hot-spare": _LOGIC,
    }
    remediation = Remediation(
        summary="Keep the zone's backups in a geo-redundant vault. A vault's storage redundancy can be changed only "
                "before the first item is protected: create a new vault with geo-redundant storage (and cross-region "
                "restore), protect the data sources there, and stop protection in the old vault once the new one "
                "holds enough recovery points.",
        portal="Backup vault: chosen at creation (Create Backup vault > Basics > Backup storage redundancy: "
               "Geo-redundant); Recovery Services vault: Properties > Backup Configuration > Storage replication "
               "type: Geo-redundant, before the first item is protected.",
        cli="az dataprotection backup-vault create -g <rg> --vault-name <vault> -l <region> --type SystemAssigned "
            "--storage-settings datastore-type=VaultStore type=GeoRedundant\n"
            "az backup vault backup-properties set -g <rg> -n <rs-vault> --backup-storage-redundancy GeoRedundant",
        iac="Bicep: Microsoft.DataProtection/backupVaults properties.storageSettings: [{ datastoreType: "
            "'VaultStore', type: 'GeoRedundant' }]; Microsoft.RecoveryServices/vaults properties.redundancySettings."
            "standardTierStorageRedundancy: 'GeoRedundant'; Terraform: azurerm_data_protection_backup_vault "
            "redundancy = \"GeoRedundant\", azurerm_recovery_services_vault storage_mode_type = \"GeoRedundant\"",
    )
    references = (RELIABILITY_DOC, REDUNDANCY_DOC, BACKUP_VAULT_DOC,
                  "https://learn.microsoft.com/azure/backup/backup-vault-overview")

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        contents = vault_tier_backups(
            self, resource, ctx.inventory, "holds no vault-tier backups (empty, or operational tier "
            "only: those stay in the source resource)")
        if isinstance(contents, Result):
            return contents
        vaulted, undecided = contents
        held = [*vaulted, *undecided]
        found = judging_zone(resource, ctx.zone, held, ctx.inventory, ctx.policy,
                             lambda z: z.requirements.required("geo_redundancy"))
        if found is None:
            gap = vault_contents_gap(resource, ctx.inventory)
            if gap:  # backups of a zone that requires geo-redundancy may be among those not read
                return self.unknown(f"all the backups {resource.name} holds (a zone requiring geo-redundancy may "
                                    "own one)", gap)
            return self.not_applicable(f"neither zone {ctx.zone.name} nor the zones of the data in {resource.name} "
                                       "require geo-redundancy")
        zone, why = found
        setting = redundancy(resource, ctx.inventory)
        geo = is_geo(setting)
        if geo is None:
            return self.unknown(f"the vault's storage redundancy ({setting.source}, got {setting.value!r})",
                                setting.gap)
        if geo:
            return self.passed(f"{resource.name} keeps its backups geo-redundant ({setting.value})",
                               observed=setting.value, backups=[p.describe() for p in vaulted])
        return self._failed(resource, zone, why, setting.value, [p.describe() for p in vaulted])

    def _failed(self, vault: Resource, zone: Zone, why: str, observed: str, backups: list[str]) -> Result:
        return self.failed(
            f"{vault.name} keeps {len(backups)} vault-tier backup(s) {observed} in {vault.location}: a regional "
            f"disaster loses the data and its backups together; {why} requires geo-redundancy",
            observed=observed, required="GeoRedundant vault storage",
            requirement=f"{zone.requirement('geo_redundancy')} ({why})", backups=backups,
        )
