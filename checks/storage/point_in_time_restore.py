from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks.storage._blob_service import blob_service, has_blob_service, missing_blob_service_text
from checks.storage._replication import STORAGE_ACCOUNT, is_hns, sku_name
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource
from scanner.policy import Strategy

# Point-in-time restore: block blobs of standard general-purpose v2 accounts only; not for accounts with a
# hierarchical namespace; needs blob soft delete, change feed and versioning; its window must be at least one
# day shorter than the soft-delete retention.
# https://learn.microsoft.com/azure/storage/blobs/point-in-time-restore-overview
PITR_DOC = "https://learn.microsoft.com/azure/storage/blobs/point-in-time-restore-overview"
_LOGIC = ("fail when restorePolicy is not enabled on a standard general-purpose v2 account without hierarchical "
          "namespace; not applicable to Data Lake Storage (HNS), premium, general-purpose v1, BlobStorage and "
          "FileStorage accounts (point-in-time restore does not support them)")


class BlobPointInTimeRestoreCheck(Check):
    id = "STG-009"
    title = "Blob point-in-time restore is off"
    service = "Storage"
    resource_type = STORAGE_ACCOUNT
    severity = Severity.MEDIUM
    rationale = (
        "Soft delete and versioning keep old data, but bringing a whole container back to its state before a "
        "faulty load or a ransomware encryption means finding and restoring every blob by hand. Point-in-time "
        "restore reverts block blobs (a range, or the whole account) to a moment within its window in one "
        "operation, which is what a backup-restore zone's recovery needs. It requires blob soft delete, change "
        "feed and versioning, and is available on standard general-purpose v2 accounts without a hierarchical "
        "namespace only; the others are not applicable."
    )
    guidance = (
        "Backup and Restore: In this approach, the database application is restored from the last backup copy "
        "before the disaster. This approach is commonly used following data corruption or accidental deletion."
    )
    logic = {
        "redeploy": "not applicable",
        "backup-restore": _LOGIC,
        "warm-spare": _LOGIC,
        "hot-spare": _LOGIC,
    }
    remediation = Remediation(
        summary="Enable blob soft delete, change feed and versioning, then point-in-time restore with a window at "
                "least one day shorter than the soft-delete retention (or protect the account with operational "
                "blob backup from a Backup vault, which configures it).",
        portal="Storage account > Data management > Data protection > Recovery > 'Enable point-in-time restore for "
               "containers' (it turns on versioning, change feed and soft delete too).",
        cli="az storage account blob-service-properties update -g <rg> -n <account> --enable-delete-retention true "
            "--delete-retention-days 14 --enable-versioning true --enable-change-feed true --enable-restore-policy "
            "true --restore-days 13",
        iac="Bicep: Microsoft.Storage/storageAccounts/blobServices 'default' properties: { restorePolicy: { enabled: "
            "true, days: 13 }, deleteRetentionPolicy: { enabled: true, days: 14 }, isVersioningEnabled: true, "
            "changeFeed: { enabled: true } }; Terraform: blob_properties { restore_policy { days = 13 } ... }",
    )
    references = (PITR_DOC, "https://learn.microsoft.com/azure/storage/blobs/point-in-time-restore-manage",
                  "https://learn.microsoft.com/azure/storage/blobs/data-protection-overview")

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if not zone.strategy.at_least(Strategy.BACKUP_RESTORE):
            return self.not_applicable(f"zone {zone.name} is {zone.strategy}: its data is not restored")
        if not has_blob_service(resource):
            return self.not_applicable(f"{resource.kind} account has no blob service")
        if not isinstance(resource.raw.get("properties"), Mapping):
            return self.unknown("the account's properties (isHnsEnabled)")
        if is_hns(resource):
            return self.not_applicable("point-in-time restore is not supported for hierarchical-namespace (Data Lake "
                                       "Storage) accounts")
        kind, sku = resource.kind or "unknown kind", sku_name(resource) or ""
        if kind.lower() != "storagev2" or not sku.lower().startswith("standard_"):
            return self.not_applicable(f"{kind} account ({sku or 'no SKU'}): point-in-time restore supports standard "
                                       "general-purpose v2 accounts only")
        lookup = blob_service(resource, ctx.inventory)
        if lookup.service is None:
            return self.unknown(missing_blob_service_text(resource), lookup.gap)
        if not lookup.properties_read:
            return self.unknown(f"properties of the blob service of {resource.name} (restorePolicy)")
        props = lookup.properties
        policy = props.get("restorePolicy")
        if isinstance(policy, Mapping) and policy.get("enabled") is True:
            return self.passed(f"point-in-time restore keeps a {policy.get('days')}-day window",
                               observed={"restorePolicy": dict(policy)})
        if policy is not None and not isinstance(policy, Mapping):
            return self.unknown("a well-formed restorePolicy on the blob service")
        return self.failed(
            f"point-in-time restore is off on {resource.name}: a corrupted or encrypted set of blobs can only be "
            f"restored blob by blob; a {zone.strategy} zone ({zone.name}) restores data",
            observed={"restorePolicy": dict(policy) if policy else "not configured (off)",
                      "prerequisites_missing": _missing_prerequisites(props)},
            required="restorePolicy.enabled: true (with soft delete, change feed and versioning)",
            requirement=f"point-in-time restore of blobs ({zone.strategy}: backup-restore or stronger restores data)",
        )


def _missing_prerequisites(props: Mapping[str, Any]) -> list[str]:
    """What must be turned on before point-in-time restore can be."""
    missing = []
    delete = props.get("deleteRetentionPolicy")
    if not (isinstance(delete, Mapping) and delete.get("enabled") is True):
        missing.append("blob soft delete (deleteRetentionPolicy)")
    change_feed = props.get("changeFeed")
    if not (isinstance(change_feed, Mapping) and change_feed.get("enabled") is True):
        missing.append("change feed")
    if props.get("isVersioningEnabled") is not True:
        missing.append("versioning")
    return missing
