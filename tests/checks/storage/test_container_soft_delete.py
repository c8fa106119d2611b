from checks.storage.container_soft_delete import ContainerSoftDeleteCheck
from scanner.check import Status
from scanner.model import ReadGap
from tests.checks.storage.builders import account, blob_service
from tests.helpers import inventory, judge, zone

CHECK = ContainerSoftDeleteCheck()
HOT = zone("hot-spare", rpo="15m", rto="1h")


def verdict(policy, the_zone=HOT):
    doc = account()
    return judge(CHECK, doc, the_zone, inventory(doc, blob_service(doc, containerDeleteRetentionPolicy=policy)))


def test_enabled_container_soft_delete_passes():
    result = verdict({"enabled": True, "days": 7})
    assert result.status == Status.PASS
    assert result.evidence["observed"] == "enabled, 7 days"


def test_disabled_container_soft_delete_fails():
    result = verdict({"enabled": False})
    assert result.status == Status.FAIL
    assert result.evidence["setting"] == "containerDeleteRetentionPolicy"
    assert result.requirement == "min_soft_delete_days=7 (hot-spare default)"


def test_example_blob_service_without_container_policy_fails():
    # BlobServicesGet configures blob soft delete only: containers are unprotected.
    doc = account()
    result = judge(CHECK, doc, HOT, inventory(doc, blob_service(doc)))
    assert result.status == Status.FAIL
    assert "containerDeleteRetentionPolicy absent" in result.evidence["observed"]


def test_container_retention_below_the_zone_minimum_fails():
    result = verdict({"enabled": True, "days": 10}, zone("backup-restore", requirements={"min_soft_delete_days": 14}))
    assert result.status == Status.FAIL
    assert result.evidence["observed"] == "enabled, 10 days"


def test_file_only_account_is_not_applicable():
    doc = account(kind="FileStorage", sku="Premium_LRS", hns=None)
    assert judge(CHECK, doc, HOT, inventory(doc)).status == Status.NOT_APPLICABLE


def test_blob_service_not_read_is_unknown():
    doc = account()
    gap = ReadGap("/subscriptions/00000000-0000-0000-0000-0000000000a1", "*", "SubscriptionNotFound", 404)
    result = judge(CHECK, doc, HOT, inventory(doc, gaps=[gap]))
    assert result.status == Status.UNKNOWN
    assert result.evidence["read_error"] == "SubscriptionNotFound"
    assert judge(CHECK, doc, HOT, inventory(doc)).status == Status.UNKNOWN


def test_blob_service_without_properties_is_unknown_not_a_failure():
    doc = account()
    service = {**blob_service(doc), "properties": None}
    assert judge(CHECK, doc, HOT, inventory(doc, service)).status == Status.UNKNOWN
