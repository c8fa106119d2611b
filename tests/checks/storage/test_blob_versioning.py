from checks.storage.blob_versioning import BlobVersioningCheck
from scanner.check import Status
from scanner.model import ReadGap
from tests.checks.storage.builders import account, blob_service
from tests.helpers import inventory, judge, zone

CHECK = BlobVersioningCheck()
RESTORE = zone("backup-restore")


def verdict(versioning, the_zone=RESTORE, hns=None):
    doc = account(sku="Standard_GRS", hns=hns)
    return judge(CHECK, doc, the_zone, inventory(doc, blob_service(doc, isVersioningEnabled=versioning)))


def test_versioning_on_a_flat_namespace_account_passes():
    doc = account(hns=False)
    assert judge(CHECK, doc, RESTORE, inventory(doc, blob_service(doc))).status == Status.PASS  # example: on


def test_versioning_off_fails_from_backup_restore_up():
    for strategy in ("backup-restore", "warm-spare", "hot-spare"):
        result = verdict(False, zone(strategy))
        assert result.status == Status.FAIL, strategy
        assert result.evidence["observed"] is False
        assert result.requirement.startswith(f"blob versioning ({strategy}:")


def test_versioning_never_set_fails():
    result = verdict(None)
    assert result.status == Status.FAIL
    assert result.evidence["observed"] == "not set (off)"


def test_not_applicable_on_hns_accounts_and_in_redeploy_zones():
    assert verdict(False, hns=True).status == Status.NOT_APPLICABLE
    assert verdict(False, zone("redeploy")).status == Status.NOT_APPLICABLE


def test_missing_blob_service_is_unknown():
    doc = account(hns=None)
    assert judge(CHECK, doc, RESTORE, inventory(doc)).status == Status.UNKNOWN
    gap = ReadGap(f"{doc['id']}/blobServices/default", "Microsoft.Storage/storageAccounts/blobServices",
                  "ResourceRequestsThrottled", 429)
    result = judge(CHECK, doc, RESTORE, inventory(doc, gaps=[gap]))
    assert result.status == Status.UNKNOWN
    assert result.gap == gap


def test_general_purpose_v1_account_is_told_to_upgrade():
    doc = account(sku="Standard_GRS", hns=None, kind="Storage")
    result = judge(CHECK, doc, RESTORE, inventory(doc, blob_service(doc, isVersioningEnabled=False)))
    assert result.status == Status.FAIL
    assert "StorageV2" in result.evidence["note"]


def test_documents_without_properties_are_unknown_not_a_failure():
    # No account properties: whether the account has a hierarchical namespace (no versioning) is unknown.
    doc = {**account(sku="Standard_GRS", hns=None), "properties": None}
    result = judge(CHECK, doc, RESTORE, inventory(doc, blob_service(doc, isVersioningEnabled=False)))
    assert result.status == Status.UNKNOWN
    assert "isHnsEnabled" in result.evidence["missing"]
    # No blob-service properties: an absent isVersioningEnabled is not proof that versioning is off.
    doc = account(sku="Standard_GRS", hns=False)
    service = {**blob_service(doc), "properties": None}
    assert judge(CHECK, doc, RESTORE, inventory(doc, service)).status == Status.UNKNOWN
