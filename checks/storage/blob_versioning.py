from __future__ import annotations

from collections.abc import Mapping

from checks.storage._blob_service import blob_service, has_blob_service, missing_blob_service_text
from checks.storage._replication import STORAGE_ACCOUNT, is_hns
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource
from scanner.policy import Strategy


class BlobVersioningCheck(Check):
    id = "STG-008"
    title = "Blob versioning is off"
    service = "Storage"
    resource_type = STORAGE_ACCOUNT
    severity = Severity.LOW
    rationale = (
        "Soft delete brings back a deleted blob, but a blob overwritten by a faulty load keeps only the "
        "snapshot soft delete made of it, for as long as soft delete lasts. Versioning keeps every previous "
        "version, so a corrupted dataset can be rolled back to its last good state, and it is a prerequisite "
        "of object replication and point-in-time restore. Accounts with a hierarchical namespace (Data Lake "
        "Storage Gen2) do not support versioning and are not judged."
    )
    guidance = (
        "Backup and Restore: In this approach, the database application is restored from the last backup copy "
        "before the disaster. This approach is commonly used following data corruption or accidental deletion."
    )
    logic = {
        "redeploy": "not applicable",
        "backup-restore": "fail when isVersioningEnabled is not true on a flat-namespace (non-HNS) account",
        "warm-spare": "fail when isVersioningEnabled is not true on a flat-namespace (non-HNS) account",
        "hot-spare": "fail when isVersioningEnabled is not true on a flat-namespace (non-HNS) account",
    }
    remediation = Remediation(
        summary="Turn on blob versioning (and a lifecycle rule that deletes old versions, to bound cost).",
        portal="Storage account > Data management > Data protection > Tracking > 'Enable versioning for blobs'.",
        cli="az storage account blob-service-properties update --resource-group <rg> --account-name <account> "
            "--enable-versioning true",
        iac="Bicep: Microsoft.Storage/storageAccounts/blobServices 'default' properties.isVersioningEnabled: "
            "true; Terraform: azurerm_storage_account blob_properties { versioning_enabled = true }",
    )
    references = (
        "https://learn.microsoft.com/azure/storage/blobs/versioning-overview",
        "https://learn.microsoft.com/azure/storage/blobs/versioning-enable",
    )

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if not zone.strategy.at_least(Strategy.BACKUP_RESTORE):
            return self.not_applicable(f"zone {zone.name} is {zone.strategy}: its data is not restored")
        if not has_blob_service(resource):
            return self.not_applicable(f"{resource.kind} account has no blob service")
        if not isinstance(resource.raw.get("properties"), Mapping):
            # Without the account's properties, isHnsEnabled (which rules versioning out) is unknown too.
            return self.unknown("the account's properties (isHnsEnabled)")
        if is_hns(resource):
            return self.not_applicable("hierarchical namespace (Data Lake Storage Gen2) accounts do not support "
                                       "blob versioning")
        lookup = blob_service(resource, ctx.inventory)
        if lookup.service is None:
            return self.unknown(missing_blob_service_text(resource), lookup.gap)
        if not lookup.properties_read:
            return self.unknown(f"properties of the blob service of {resource.name} (isVersioningEnabled)")
        if lookup.properties.get("isVersioningEnabled") is True:
            return self.passed("blob versioning is on", observed=True)
        # ARM omits isVersioningEnabled on accounts where it was never turned on.
        observed = lookup.properties.get("isVersioningEnabled", "not set (off)")
        extra: dict[str, str] = {}
        if (resource.kind or "").lower() == "storage":
            extra["note"] = "general-purpose v1 accounts support versioning only after an upgrade to StorageV2"
        return self.failed(
            f"blob versioning is off on {resource.name}: an overwritten or corrupted blob cannot be rolled back "
            f"to an earlier version, which a {zone.strategy} zone ({zone.name}) relies on to restore data",
            observed=observed, required="isVersioningEnabled: true",
            requirement=f"blob versioning ({zone.strategy}: backup-restore or stronger restores data)",
            **extra,
        )
