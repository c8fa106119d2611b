from __future__ import annotations

from checks.backup._vault import is_geo, redundancy
from checks.storage._replication import GEO_REDUNDANT, STORAGE_ACCOUNT, replication, sku_name
from scanner.backup import Protection, backed_up_as, protection_of
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Inventory, Resource
from scanner.policy import Strategy


class StorageGeoRedundancyCheck(Check):
    id = "STG-001"
    title = "Storage account keeps no copy outside its region"
    service = "Storage"
    resource_type = STORAGE_ACCOUNT
    severity = Severity.HIGH
    rationale = (
        "An LRS or ZRS account keeps every copy of its data in one region: a regional outage or "
        "disaster loses it. Where the landing zone requires geo-redundancy, the account must "
        "replicate to the paired region (GRS, RA-GRS, GZRS or RA-GZRS). In a backup-restore zone, whose plan is to "
        "restore from a backup, a vaulted blob backup in a geo-redundant Backup vault is such a copy: the vault "
        "replicates its recovery points to the paired region; so is, for a FileStorage account (file shares only), a "
        "vault-tier Azure Files backup in a geo-redundant Recovery Services vault. Operational-tier blob backups and "
        "share snapshots stay in the account and do not count; warm- and hot-spare zones need a live copy, which a "
        "backup is not."
    )
    guidance = (
        "Data Lake: If one of the Data Landing Zones requires geo-redundancy, with Data Lake Storage "
        "Gen2, it is recommended to geo-replicate your data via GRS or RA-GRS that satisfies your "
        "HA/DR requirements."
    )
    logic = {
        "redeploy": "not applicable unless the zone overrides geo_redundancy to required",
        "backup-restore": "fail on LRS or ZRS (Standard or Premium), unless an active vault-tier backup of the "
                          "account's data (blobs: Backup vault; a FileStorage account's shares: Recovery Services "
                          "vault) is kept in a geo-redundant vault; unknown when an unread vault may hold one",
        "warm-spare": "fail on LRS or ZRS (Standard or Premium)",
        "hot-spare": "fail on LRS or ZRS (Standard or Premium)",
    }
    remediation = Remediation(
        summary="Change the account's redundancy to GZRS or RA-GZRS (or GRS / RA-GRS where the region "
                "has no availability zones). Premium accounts cannot be geo-replicated: copy their data "
                "to a Standard geo-redundant account or to an account in the secondary region.",
        portal="Storage account > Data management > Redundancy > Geo-zone-redundant storage (GZRS).",
        cli="az storage account update -g <rg> -n <account> --sku Standard_RAGZRS",
        iac="Bicep: sku: { name: 'Standard_RAGZRS' }; Terraform: account_replication_type = \"RAGZRS\"",
    )
    references = (
        "https://learn.microsoft.com/azure/storage/common/storage-redundancy",
        "https://learn.microsoft.com/azure/storage/common/redundancy-migration",
        "https://learn.microsoft.com/azure/backup/blob-backup-overview",
        "https://learn.microsoft.com/azure/backup/azure-file-share-backup-overview",
        "https://learn.microsoft.com/azure/reliability/reliability-backup",
    )

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if not zone.requirements.required("geo_redundancy"):
            return self.not_applicable(f"zone {zone.name} does not require geo-redundancy")
        kind = replication(resource)
        if kind is None:
            return self.unknown("sku.name (replication setting)")
        if kind in GEO_REDUNDANT:
            return self.passed(f"replicates to a secondary region ({sku_name(resource)})", observed=sku_name(resource))
        if zone.strategy == Strategy.BACKUP_RESTORE:
            verdict = self._backup_copy(resource, ctx.inventory)
            if verdict is not None:
                return verdict
        return self.failed(
            f"{sku_name(resource)} keeps all copies in {resource.location}; zone {zone.name} "
            f"({zone.strategy}) requires a copy in another region",
            observed=sku_name(resource),
            required="GRS, RA-GRS, GZRS or RA-GZRS",
            requirement=zone.requirement("geo_redundancy"),
        )

    def _backup_copy(self, account: Resource, inventory: Inventory) -> Result | None:
        """Pass when a vaulted backup of the account's data sits in a geo-redundant vault; unknown when one may
        (an unread vault, an unread policy or vault setting); None when none does."""
        datasources, vault_type = backed_up_as(account)
        protection = protection_of(account, inventory, datasources, vault_type)
        geo: list[Protection] = []
        undecided: list[str] = []
        for backup in protection.active:
            if backup.vaulted is False:
                continue
            geo_vault = is_geo(redundancy(backup.vault, inventory)) if backup.vault is not None else None
            if backup.vaulted and geo_vault:
                geo.append(backup)
            elif backup.vaulted is None or geo_vault is None:
                undecided.append(backup.describe())
        if geo:
            return self.passed(f"{sku_name(account)} in one region, but backed up to geo-redundant vault "
                               f"{geo[0].vault_name} ({geo[0].describe()})",
                               observed=sku_name(account), geo_redundant_backups=[b.describe() for b in geo])
        if undecided:
            return self.unknown(f"the tier or the vault redundancy of {'; '.join(undecided)}")
        if protection.gap:
            return self.unknown(f"{vault_type} backups of {account.name} (an unread vault may keep a geo-redundant "
                                "copy)", protection.gap)
        return None
