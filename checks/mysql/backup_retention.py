from __future__ import annotations

from checks._flexible_servers import GUIDANCE_BACKUP, BackupRetentionCheck
from checks.mysql._server import BACKUP_DOC, REPLICA_DOC, MySqlMetadata
from scanner.check import Remediation, Severity


class MySqlBackupRetentionCheck(MySqlMetadata, BackupRetentionCheck):
    id = "MY-003"
    title = "MySQL point-in-time restore window shorter than the zone requires"
    severity = Severity.LOW
    rationale = (
        "Point-in-time restore recovers a server to any moment within its backup retention: 7 days by default, "
        "1 to 35 days. It is the way back from corruption or a mistaken delete, which high availability and "
        "replicas copy faithfully. A window shorter than the zone's min_pitr_days means damage noticed late cannot "
        "be undone. A read replica keeps its own retention, set independently of its source."
    )
    guidance = GUIDANCE_BACKUP
    logic = {
        "redeploy": "fail when backup.backupRetentionDays < min_pitr_days (default 7), replicas included; not "
                    "applicable when the zone sets min_pitr_days: 0",
        "backup-restore": "as redeploy",
        "warm-spare": "as redeploy",
        "hot-spare": "as redeploy",
    }
    remediation = Remediation(
        summary="Raise the server's backup retention to at least the zone's min_pitr_days (1 to 35 days).",
        portal="MySQL flexible server > Settings > Compute + storage > Backup retention period (in days).",
        cli="az mysql flexible-server update -g <rg> -n <server> --backup-retention 14",
        iac="Bicep: properties.backup: { backupRetentionDays: 14 }; Terraform: azurerm_mysql_flexible_server "
            "backup_retention_days = 14",
    )
    references = (BACKUP_DOC, REPLICA_DOC)
    judges_replicas = True
