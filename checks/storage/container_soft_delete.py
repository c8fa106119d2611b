from __future__ import annotations

from checks.storage._blob_service import judge_retention
from checks.storage._replication import STORAGE_ACCOUNT
from checks.storage.blob_soft_delete import SOFT_DELETE_GUIDANCE
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource


class ContainerSoftDeleteCheck(Check):
    id = "STG-006"
    title = "Container soft delete is off or too short"
    service = "Storage"
    resource_type = STORAGE_ACCOUNT
    severity = Severity.MEDIUM
    rationale = (
        "Deleting a container (a Data Lake file system) removes every blob in it at once, and blob soft delete "
        "does not bring the container back. Container soft delete keeps deleted containers restorable for a "
        "retention period, which must be at least the zone's min_soft_delete_days."
    )
    guidance = SOFT_DELETE_GUIDANCE
    logic = {
        "redeploy": "fail when container soft delete is disabled or keeps fewer days than min_soft_delete_days",
        "backup-restore": "fail when container soft delete is disabled or keeps fewer days than "
                          "min_soft_delete_days",
        "warm-spare": "fail when container soft delete is disabled or keeps fewer days than min_soft_delete_days",
        "hot-spare": "fail when container soft delete is disabled or keeps fewer days than min_soft_delete_days",
    }
    remediation = Remediation(
        summary="Enable soft delete for containers on the account's blob service with a retention of at least "
                "the zone's min_soft_delete_days.",
        portal="Storage account > Data management > Data protection > Recovery > 'Enable soft delete for "
               "containers', set 'Keep deleted containers for (in days)'.",
        cli="az storage account blob-service-properties update --resource-group <rg> --account-name <account> "
            "--enable-container-delete-retention true --container-delete-retention-days 14",
        iac="Bicep: Microsoft.Storage/storageAccounts/blobServices 'default' "
            "properties.containerDeleteRetentionPolicy: { enabled: true, days: 14 }; Terraform: "
            "azurerm_storage_account blob_properties { container_delete_retention_policy { days = 14 } }",
    )
    references = (
        "https://learn.microsoft.com/azure/storage/blobs/soft-delete-container-overview",
        "https://learn.microsoft.com/azure/storage/blobs/soft-delete-container-enable",
        "https://learn.microsoft.com/azure/storage/blobs/data-protection-overview",
    )

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        return judge_retention(self, resource, ctx, "containerDeleteRetentionPolicy", "container")
