from __future__ import annotations

from checks.storage._blob_service import judge_retention
from checks.storage._replication import STORAGE_ACCOUNT
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource

SOFT_DELETE_GUIDANCE = (
    "Backup and Restore: In this approach, the database application is restored from the last backup copy "
    "before the disaster. This approach is commonly used following data corruption or accidental deletion."
)


class BlobSoftDeleteCheck(Check):
    id = "STG-005"
    title = "Blob soft delete is off or too short"
    service = "Storage"
    resource_type = STORAGE_ACCOUNT
    severity = Severity.MEDIUM
    rationale = (
        "Replication, local or geo, copies a deletion or an overwrite to every replica at once: it protects "
        "against losing hardware or a region, not against a faulty pipeline or an operator deleting data. "
        "Blob soft delete keeps deleted and overwritten blobs (and Data Lake files) recoverable for a "
        "retention period, which must be at least the zone's min_soft_delete_days."
    )
    guidance = SOFT_DELETE_GUIDANCE
    logic = {
        "redeploy": "fail when blob soft delete is disabled or keeps fewer days than min_soft_delete_days",
        "backup-restore": "fail when blob soft delete is disabled or keeps fewer days than min_soft_delete_days",
        "warm-spare": "fail when blob soft delete is disabled or keeps fewer days than min_soft_delete_days",
        "hot-spare": "fail when blob soft delete is disabled or keeps fewer days than min_soft_delete_days",
    }
    remediation = Remediation(
        summary="Enable soft delete for blobs on the account's blob service with a retention of at least the "
                "zone's min_soft_delete_days.",
        portal="Storage account > Data management > Data protection > Recovery > 'Enable soft delete for "
               "blobs', set 'Keep deleted blobs for (in days)'.",
        cli="az storage account blob-service-properties update --resource-group <rg> --account-name <account> "
            "--enable-delete-retention true --delete-retention-days 14",
        iac="Bicep: Microsoft.Storage/storageAccounts/blobServices 'default' properties.deleteRetentionPolicy: "
            "{ enabled: true, days: 14 }; Terraform: azurerm_storage_account blob_properties { "
            "delete_retention_policy { days = 14 } }",
    )
    references = (
        "https://learn.microsoft.com/azure/storage/blobs/soft-delete-blob-overview",
        "https://learn.microsoft.com/azure/storage/blobs/soft-delete-blob-enable",
        "https://learn.microsoft.com/azure/storage/blobs/data-protection-overview",
    )

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        return judge_retention(self, resource, ctx, "deleteRetentionPolicy", "blob")
