from checks.storage.blob_soft_delete import BlobSoftDeleteCheck
from scanner.check import Status
from scanner.model import ReadGap
from tests.checks.storage.builders import account, blob_service
from tests.helpers import inventory, judge, zone

CHECK = BlobSoftDeleteCheck()
RESEARCH = zone("backup-restore", requirements={"min_soft_delete_days": 14})


def verdict(policy, the_zone=RESEARCH, **account_fields):
    doc = account(**account_fields)
    return judge(CHECK, doc, the_zone, inventory(doc, blob_service(doc, deleteRetentionPolicy=policy)))


def test_example_blob_service_with_300_days_passes():
    doc = account()
    result = judge(CHECK, doc, RESEARCH, inventory(doc, blob_service(doc)))  # the example keeps 300 days
    assert result.status == Status.PASS
    assert result.evidence["observed"] == "enabled, 300 days"


def test_retention_equal_to_the_minimum_passes():
    assert verdict({"enabled": True, "days": 14}).status == Status.PASS


def test_disabled_soft_delete_fails_in_every_strategy():
    for strategy in ("redeploy", "backup-restore", "warm-spare", "hot-spare"):
        result = verdict({"allowPermanentDelete": False, "enabled": False}, zone(strategy))
        assert result.status == Status.FAIL, strategy
        assert result.evidence["observed"] == "disabled"
        assert result.requirement == f"min_soft_delete_days=7 ({strategy} default)"


def test_retention_shorter_than_the_zone_minimum_fails():
    result = verdict({"enabled": True, "days": 7})
    assert result.status == Status.FAIL
    assert result.evidence["observed"] == "enabled, 7 days"
    assert "at least 14 days" in result.evidence["required"]
    assert result.requirement == "min_soft_delete_days=14 (zone override)"
    assert "7 days" in result.message and "14" in result.message


def test_policy_absent_from_the_blob_service_is_a_failure_not_a_pass():
    result = verdict(None)
    assert result.status == Status.FAIL
    assert "not configured" in result.evidence["observed"]


def test_not_applicable_to_file_only_accounts_and_zones_without_a_minimum():
    doc = account(kind="FileStorage", sku="Premium_ZRS", hns=None)
    assert judge(CHECK, doc, RESEARCH, inventory(doc)).status == Status.NOT_APPLICABLE
    no_minimum = zone("redeploy", requirements={"min_soft_delete_days": 0})
    assert verdict({"enabled": False}, no_minimum).status == Status.NOT_APPLICABLE


def test_missing_blob_service_is_unknown():
    doc = account()
    assert judge(CHECK, doc, RESEARCH, inventory(doc)).status == Status.UNKNOWN
    gap = ReadGap(doc["id"].rsplit("/providers/", 1)[0], "Microsoft.Storage/storageAccounts/blobServices",
                  "AuthorizationFailed: Microsoft.Storage/storageAccounts/blobServices/read", 403)
    result = judge(CHECK, doc, RESEARCH, inventory(doc, gaps=[gap]))
    assert result.status == Status.UNKNOWN
    assert result.gap == gap


def test_enabled_policy_without_days_is_unknown():
    assert verdict({"enabled": True}).status == Status.UNKNOWN


def test_blob_service_listed_without_properties_is_unknown_not_a_failure():
    # An absent policy means "off" only inside a blob service whose properties were read.
    doc = account()
    null_properties = {**blob_service(doc), "properties": None}
    no_properties = {k: v for k, v in blob_service(doc).items() if k != "properties"}
    for service in (null_properties, no_properties):
        result = judge(CHECK, doc, RESEARCH, inventory(doc, service))
        assert result.status == Status.UNKNOWN
        assert "deleteRetentionPolicy" in result.evidence["missing"]
