from checks.storage.secondary_read_access import StorageSecondaryReadAccessCheck
from scanner.check import Status
from tests.checks.storage.builders import account
from tests.helpers import judge, zone

CHECK = StorageSecondaryReadAccessCheck()
HOT = zone("hot-spare", rpo="15m", rto="1h")


def test_read_access_geo_replication_passes_in_hot_spare():
    assert judge(CHECK, account(sku="Standard_RAGRS"), HOT).status == Status.PASS
    assert judge(CHECK, account(sku="Standard_RAGZRS"), HOT).status == Status.PASS


def test_geo_replication_without_read_access_fails_in_hot_spare():
    # The example account itself is Standard_GRS.
    for sku in ("Standard_GRS", "Standard_GZRS"):
        result = judge(CHECK, account(sku=sku), HOT)
        assert result.status == Status.FAIL, sku
        assert result.evidence["observed"] == sku
        assert "RA-GRS or RA-GZRS" in result.evidence["required"]
        assert result.requirement.startswith("read access to the secondary region (hot-spare")


def test_not_applicable_outside_hot_spare_and_to_accounts_without_geo_replication():
    gzrs = account(sku="Standard_GZRS")
    for strategy in ("redeploy", "backup-restore", "warm-spare"):
        assert judge(CHECK, gzrs, zone(strategy)).status == Status.NOT_APPLICABLE, strategy
    assert judge(CHECK, account(sku="Standard_ZRS"), HOT).status == Status.NOT_APPLICABLE
    assert judge(CHECK, account(sku="Premium_LRS"), HOT).status == Status.NOT_APPLICABLE


def test_missing_sku_is_unknown_in_hot_spare():
    assert judge(CHECK, account(sku=None), HOT).status == Status.UNKNOWN
