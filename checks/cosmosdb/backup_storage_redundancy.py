from __future__ import annotations

from checks.cosmosdb._account import (
    ASSUMED_DEFAULT,
    BACKUP_RESTORE,
    CONTINUOUS,
    DATABASE_ACCOUNT,
    DEFAULT_BACKUP_DOC,
    GUIDANCE_SECTION,
    HIGH_AVAILABILITY_DOC,
    LOCAL_ONLY_BACKUP,
    backup_interval_minutes,
    backup_policy,
    read_gap,
)
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource
from scanner.policy import Strategy

_REDUNDANCY = {"geo": "Geo", "local": "Local", "zone": "Zone"}


class CosmosBackupStorageRedundancyCheck(Check):
    id = "COS-005"
    title = "Cosmos DB periodic backups stay in the primary region"
    service = "Cosmos DB"
    resource_type = DATABASE_ACCOUNT
    severity = Severity.HIGH
    rationale = (
        "Periodic-mode backups are written to blob storage whose redundancy the account chooses: Geo copies "
        "them to the paired region, Local and Zone keep them in the primary region only. When that region is "
        "lost, so are the backups, and Microsoft support cannot restore the account elsewhere. Where backups "
        "are the DR copy (backup-restore) this loses the data; in warm and hot spares the live replicas "
        "remain, but a corruption or deletion replicated to them can then only be repaired from a backup in "
        "the failed region."
    )
    guidance = f"{GUIDANCE_SECTION}\n\n{BACKUP_RESTORE}"
    logic = {
        "redeploy": "not applicable unless the zone overrides geo_redundancy to required",
        "backup-restore": "fail (high) when periodic backupStorageRedundancy is Local or Zone; continuous backup "
                          "is not applicable; an account document without backupPolicy has Azure's default, Geo, "
                          "in a region with a pair (unknown elsewhere)",
        "warm-spare": "fail (medium) when periodic backupStorageRedundancy is Local or Zone; continuous backup "
                      "is not applicable; no backupPolicy: Azure's default as under backup-restore",
        "hot-spare": "fail (medium) when periodic backupStorageRedundancy is Local or Zone; continuous backup "
                     "is not applicable; no backupPolicy: Azure's default as under backup-restore",
    }
    remediation = Remediation(
        summary="Switch the periodic backup storage to geo-redundant (Geo), which copies backups to the paired "
                "region. In a region without a pair, keep the account in a second region instead, or move to "
                "continuous backup, which keeps backups in every region of the account.",
        portal="Azure Cosmos DB account > Settings > Backup & Restore > Backup storage redundancy > "
               "Geo-redundant backup storage > Save.",
        cli="az cosmosdb update -g <rg> -n <account> --backup-redundancy Geo",
        iac="Bicep: properties.backupPolicy: { type: 'Periodic', periodicModeProperties: { "
            "backupStorageRedundancy: 'Geo' } }; Terraform (azurerm_cosmosdb_account): backup { type = "
            "\"Periodic\", storage_redundancy = \"Geo\" }",
    )
    references = (
        "https://learn.microsoft.com/azure/cosmos-db/periodic-backup-storage-redundancy",
        DEFAULT_BACKUP_DOC,
        "https://learn.microsoft.com/azure/cosmos-db/periodic-backup-update-storage-redundancy",
        "https://learn.microsoft.com/azure/cosmos-db/continuous-backup-restore-introduction",
        HIGH_AVAILABILITY_DOC,
    )

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if not zone.requirements.required("geo_redundancy"):
            return self.not_applicable(f"zone {zone.name} does not require geo-redundancy")
        policy = backup_policy(resource)
        if policy is None:
            return self.unknown("properties.backupPolicy", read_gap(resource, ctx.inventory))
        if policy.type is None:
            return self.unknown("properties.backupPolicy.type (Periodic or Continuous)")
        if policy.type == CONTINUOUS:
            return self.not_applicable(
                "continuous backup has no backup storage redundancy to choose: each region of the account keeps "
                "its own backups, so the copies outside the primary region are the account's other regions "
                "(judged by COS-001)"
            )
        if policy.assumed_default:
            return self._judge_default(resource, ctx)
        raw = policy.periodic.get("backupStorageRedundancy")
        redundancy = _REDUNDANCY.get(raw.lower()) if isinstance(raw, str) else None
        if redundancy is None:
            return self.unknown("properties.backupPolicy.periodicModeProperties.backupStorageRedundancy")
        if redundancy not in LOCAL_ONLY_BACKUP:
            return self.passed("periodic backups are copied to the paired region (Geo)", observed=redundancy)
        return self.failed(
            f"periodic backups are kept on {redundancy}-redundant storage in {resource.location} only; zone "
            f"{zone.name} ({zone.strategy}) requires a copy outside the region",
            observed=redundancy,
            required="Geo",
            requirement=zone.requirement("geo_redundancy"),
            # Where live replicas exist (warm/hot) the backup is the second line of defence.
            severity=Severity.MEDIUM if zone.strategy.at_least(Strategy.WARM_SPARE) else Severity.HIGH,
            backup_interval_minutes=backup_interval_minutes(policy),
        )

    def _judge_default(self, resource: Resource, ctx: EvaluationContext) -> Result:
        """No backupPolicy in a full account document: Azure's default storage is geo-redundant only where the
        region has a pair; elsewhere Azure picked the best it had, which the document does not say."""
        region = ctx.inventory.region(resource.location)
        if region is None or region.paired_region is None:
            why = "is not a known region" if region is None else "has no paired region"
            return self.unknown(f"properties.backupPolicy (absent; Azure's default backup storage is geo-redundant "
                                f"only in a region with a pair, and {resource.location} {why})")
        return self.passed(f"periodic backups are copied to the paired region {region.paired_region} (Geo, Azure's "
                           "default: the account document states no backup policy)", observed="Geo",
                           assumed_default=ASSUMED_DEFAULT)
