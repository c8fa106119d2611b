from __future__ import annotations

from checks._flexible_servers import GUIDANCE_BACKUP, BackupRetentionCheck
from checks.postgresql._server import BACKUP_DOC, REPLICA_DOC, PostgreSqlMetadata
from scanner.check import Remediation, Severity


class PostgreSqlBackupRetentionCheck(PostgreSqlMetadata, BackupRetentionCheck):
    id = "PG-003"
    title = "PostgreSQL point-in-time restore window shorter than the zone requires"
    severity = Severity.LOW
    rationale = (
        "Point-in-time restore recovers a server to any moment within its backup retention: 7 days by default, "
        "7 to 35 days. It is the way back from corruption or a mistaken delete, which high availability and "
        "replicas copy faithfully. A window shorter than the zone's min_pitr_days means damage noticed late "
        "cannot be undone. Read replicas take no backups of their own."
    )
    guidance = GUIDANCE_BACKUP
    logic = {
        "redeploy": "fail when backup.backupRetentionDays < min_pitr_days (default 7); not applicable when the zone "
                    "sets min_pitr_days: 0, and to read replicas (they keep no backups)",
        "backup-restore": "as redeploy",
        "warm-spare": "as redeploy",
        "hot-spare": "as redeploy",
    }
    remediation = Remediation(
        summary="Raise the server's backup retention to at least the zone's min_pitr_days (7 to 35 days). Longer "
                "needs long-term backups with Azure Backup.",
        portal="PostgreSQL flexible server > Settings > Compute + storage > Backup retention period (in days).",
        cli="az postgres flexible-server update -g <rg> -n <server> --backup-retention 14",
        iac="Bicep: properties.backup: { backupRetentionDays: 14 }; Terraform: azurerm_postgresql_flexible_server "
            "backup_retention_days = 14",
    )
    references = (BACKUP_DOC, REPLICA_DOC)
    judges_replicas = False
