from checks.storage.point_in_time_restore import BlobPointInTimeRestoreCheck
from scanner.check import Status
from scanner.model import ReadGap
from tests.checks.storage.builders import account, blob_service
from tests.helpers import inventory, judge, zone

CHECK = BlobPointInTimeRestoreCheck()
RESTORE = zone("backup-restore")


def verdict(doc, the_zone=RESTORE, **service):
    return judge(CHECK, doc, the_zone, inventory(doc, blob_service(doc, **service)))


def flat(**kwargs):
    return account(sku=kwargs.pop("sku", "Standard_GRS"), hns=None, **kwargs)


def test_restore_policy_enabled_passes():
    result = verdict(flat(), restorePolicy={"enabled": True, "days": 13})
    assert result.status == Status.PASS
    assert "13-day" in result.message


def test_restore_policy_off_or_absent_fails_from_backup_restore_up_with_missing_prerequisites():
    for strategy in ("backup-restore", "warm-spare", "hot-spare"):
        result = verdict(flat(), zone(strategy), restorePolicy={"enabled": False})
        assert result.status == Status.FAIL, strategy
    # Microsoft's example with blob soft delete turned off: versioning and change feed stay on.
    result = verdict(flat(), deleteRetentionPolicy={"enabled": False}, restorePolicy=None)
    assert result.status == Status.FAIL
    assert result.evidence["observed"]["restorePolicy"] == "not configured (off)"
    assert result.evidence["observed"]["prerequisites_missing"] == ["blob soft delete (deleteRetentionPolicy)"]


def test_not_applicable_where_point_in_time_restore_is_not_supported_or_not_needed():
    assert verdict(account(sku="Standard_GRS", hns=True), restorePolicy=None).status == Status.NOT_APPLICABLE
    for doc in (flat(sku="Premium_LRS", kind="BlockBlobStorage"), flat(kind="Storage"), flat(kind="BlobStorage")):
        result = verdict(doc, restorePolicy=None)
        assert result.status == Status.NOT_APPLICABLE and "general-purpose v2" in result.message, doc["kind"]
    assert verdict(flat(), zone("redeploy"), restorePolicy=None).status == Status.NOT_APPLICABLE
    files = flat(sku="Premium_LRS", kind="FileStorage")
    assert judge(CHECK, files, RESTORE, inventory(files)).status == Status.NOT_APPLICABLE


def test_unread_blob_service_or_account_properties_are_unknown():
    doc = flat()
    gap = ReadGap(doc["id"], "Microsoft.Storage/storageAccounts/blobServices", "HTTP 500", 500)
    result = judge(CHECK, doc, RESTORE, inventory(doc, gaps=[gap]))
    assert result.status == Status.UNKNOWN and result.gap == gap
    bare = {**flat(), "properties": None}
    assert judge(CHECK, bare, RESTORE, inventory(bare, blob_service(bare))).status == Status.UNKNOWN
    unread = {**blob_service(doc), "properties": None}
    assert judge(CHECK, doc, RESTORE, inventory(doc, unread)).status == Status.UNKNOWN
