"""The documented ranges of the retention settings that the policy's day requirements are judged
against, one row per service, each cited.

A policy's `min_soft_delete_days` and `min_pitr_days` apply to several services whose ranges differ.
The policy accepts a value within the union of their ranges (or 0, which turns the checks off): a zone
may ask 120 days of soft delete, which blob storage can keep though Key Vault cannot. Checks of a
service that cannot reach the value still judge it, and say so in their finding (`beyond_service`),
so the requirement is never quietly lowered to what the service can do.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentedRange:
    service: str
    setting: str
    low: int
    high: int
    url: str

    def describe(self) -> str:
        return f"{self.service} {self.low}-{self.high}"


KEY_VAULT_SOFT_DELETE = DocumentedRange(
    "Key Vault", "softDeleteRetentionInDays", 7, 90,
    "https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview")
BLOB_SOFT_DELETE = DocumentedRange(
    "blob soft delete", "deleteRetentionPolicy.days", 1, 365,
    "https://learn.microsoft.com/azure/storage/blobs/soft-delete-blob-overview")
CONTAINER_SOFT_DELETE = DocumentedRange(
    "container soft delete", "containerDeleteRetentionPolicy.days", 1, 365,
    "https://learn.microsoft.com/azure/storage/blobs/soft-delete-container-overview")
# Backup vaults and Recovery Services vaults alike: 14 days by default, up to 180.
BACKUP_SOFT_DELETE = DocumentedRange(
    "Azure Backup vaults", "softDeleteSettings retention", 14, 180,
    "https://learn.microsoft.com/azure/backup/backup-azure-enhanced-soft-delete-about")

# Azure SQL Database, Hyperscale included: 1 to 35 days (Basic: at most 7, see SQL_BASIC_PITR).
SQL_DATABASE_PITR = DocumentedRange(
    "Azure SQL Database", "backupShortTermRetentionPolicies retentionDays", 1, 35,
    "https://learn.microsoft.com/azure/azure-sql/database/automated-backups-change-settings")
SQL_BASIC_PITR = DocumentedRange(
    "Azure SQL Database Basic tier", "backupShortTermRetentionPolicies retentionDays", 1, 7,
    "https://learn.microsoft.com/azure/azure-sql/database/automated-backups-overview")
SQL_MANAGED_INSTANCE_PITR = DocumentedRange(
    "SQL Managed Instance", "backupShortTermRetentionPolicies retentionDays", 1, 35,
    "https://learn.microsoft.com/azure/azure-sql/managed-instance/automated-backups-change-settings")
MYSQL_FLEXIBLE_PITR = DocumentedRange(
    "MySQL flexible server", "backup.backupRetentionDays", 1, 35,
    "https://learn.microsoft.com/azure/mysql/flexible-server/concepts-backup-restore")
POSTGRESQL_FLEXIBLE_PITR = DocumentedRange(
    "PostgreSQL flexible server", "backup.backupRetentionDays", 7, 35,
    "https://learn.microsoft.com/azure/postgresql/backup-restore/concepts-backup-restore")

REQUIREMENT_RANGES: dict[str, tuple[DocumentedRange, ...]] = {
    "min_soft_delete_days": (KEY_VAULT_SOFT_DELETE, BLOB_SOFT_DELETE, CONTAINER_SOFT_DELETE, BACKUP_SOFT_DELETE),
    "min_pitr_days": (SQL_DATABASE_PITR, SQL_MANAGED_INSTANCE_PITR, MYSQL_FLEXIBLE_PITR, POSTGRESQL_FLEXIBLE_PITR),
}


def accepted_days(requirement: str) -> tuple[int, int]:
    """The union of the services' ranges for a day requirement: the values some service can meet."""
    ranges = REQUIREMENT_RANGES[requirement]
    return min(r.low for r in ranges), max(r.high for r in ranges)


def accepted_text(requirement: str) -> str:
    low, high = accepted_days(requirement)
    services = ", ".join(r.describe() for r in REQUIREMENT_RANGES[requirement])
    return f"a whole number of days, 0 (off) or {low} to {high} (documented ranges: {services})"


def beyond_service(message: str, requirement: str, minimum: int,
                   documented: DocumentedRange) -> tuple[str, dict[str, str]]:
    """A failure message and evidence that say so when no setting of the service can meet `minimum`
    (the zone asks more than the documented maximum); unchanged otherwise."""
    if minimum <= documented.high:
        return message, {}
    short = f"not achievable on {documented.service}: documented maximum {documented.high} days"
    note = (f"{short} ({documented.setting}, {documented.url}); lower the zone's {requirement} or accept "
            "the risk in a baseline")
    return f"{message} ({short})", {"note": note}
