from datetime import timedelta

from checks.storage.geo_replication_lag import StorageGeoReplicationLagCheck
from scanner.check import Severity, Status
from scanner.model import ReadGap
from tests.checks.storage.builders import account
from tests.helpers import SCAN_TIME, example_body, inventory, judge, zone

CHECK = StorageGeoReplicationLagCheck()
WARM = zone("warm-spare", rpo="4h", rto="8h")


def synced(ago: timedelta, status: str = "Live") -> dict:
    when = (SCAN_TIME - ago).strftime("%Y-%m-%dT%H:%M:%S.") + "0000000Z"  # ARM's 7 fraction digits
    return {"status": status, "lastSyncTime": when, "canFailover": True}


def test_recent_sync_passes():
    result = judge(CHECK, account(sku="Standard_RAGZRS", stats=synced(timedelta(minutes=12))), WARM)
    assert result.status == Status.PASS
    assert result.evidence["lag"] == "12m"


def test_lag_equal_to_the_rpo_still_passes():
    doc = account(sku="Standard_GRS", stats={"status": "Live", "lastSyncTime": "2026-11-25T08:00:00Z"})
    assert judge(CHECK, doc, WARM).status == Status.PASS  # SCAN_TIME is 12:00, RPO 4h


def test_lag_beyond_the_rpo_fails_high_with_lag_rpo_and_last_sync():
    doc = account(sku="Standard_RAGRS", stats=synced(timedelta(hours=5, minutes=20)))
    result = judge(CHECK, doc, WARM)
    assert result.status == Status.FAIL
    assert result.severity == Severity.HIGH
    assert result.evidence["lag"] == "5h20m"
    assert result.evidence["rpo"] == "4h"
    assert result.evidence["lastSyncTime"].startswith("2026-11-25T06:40:00")
    assert "rpo=4h" in result.requirement


def test_the_examples_stale_sync_time_fails_against_a_tight_rpo():
    # Microsoft's example reports a 2018 lastSyncTime with status Live.
    doc = example_body("storage/StorageAccountGetProperties.json")
    result = judge(CHECK, doc, zone("hot-spare", rpo="15m", rto="1h"))
    assert result.status == Status.FAIL
    assert result.severity == Severity.HIGH
    assert result.evidence["lastSyncTime"] == "2018-10-30T00:25:34Z"


def test_status_not_live_fails_medium():
    bootstrap = account(sku="Standard_RAGZRS", stats={"status": "Bootstrap", "canFailover": False})
    result = judge(CHECK, bootstrap, WARM)
    assert result.status == Status.FAIL
    assert result.severity == Severity.MEDIUM
    assert result.evidence["observed"] == "status Bootstrap"
    assert result.evidence["lastSyncTime"] is None
    unavailable = account(sku="Standard_GZRS", stats=synced(timedelta(minutes=3), "Unavailable"))
    assert judge(CHECK, unavailable, WARM).severity == Severity.MEDIUM


def test_status_not_live_and_lag_beyond_rpo_reports_the_worse_severity():
    doc = account(sku="Standard_GRS", stats=synced(timedelta(hours=9), "Unavailable"))
    result = judge(CHECK, doc, WARM)
    assert result.status == Status.FAIL
    assert result.severity == Severity.HIGH
    assert "Unavailable" in result.message


def test_accounts_without_geo_replication_are_not_applicable():
    doc = account(sku="Standard_ZRS", stats=None)
    assert judge(CHECK, doc, WARM).status == Status.NOT_APPLICABLE


def test_missing_replication_stats_are_unknown():
    # Listing accounts does not expand geoReplicationStats (the list example has none).
    listed = example_body("storage/StorageAccountList.json")["value"][0]
    assert judge(CHECK, listed, WARM).status == Status.UNKNOWN
    doc = account(sku="Standard_RAGRS", stats=None)
    gap = ReadGap(doc["id"], "geoReplicationStats", "AuthorizationFailed", 403)
    result = judge(CHECK, doc, WARM, inventory(doc, gaps=[gap]))
    assert result.status == Status.UNKNOWN
    assert result.gap == gap
    assert result.evidence["read_error"] == "AuthorizationFailed"


def test_live_status_without_a_sync_time_is_unknown_not_pass():
    doc = account(sku="Standard_RAGRS", stats={"status": "Live", "canFailover": True})
    assert judge(CHECK, doc, WARM).status == Status.UNKNOWN


def test_a_sync_time_after_the_scan_is_unknown_not_zero_lag():
    doc = account(sku="Standard_RAGRS", stats=synced(-timedelta(hours=3)))
    result = judge(CHECK, doc, WARM)
    assert result.status == Status.UNKNOWN
    assert "later than the scan time" in result.message
    # A couple of minutes ahead is clock skew between the storage service and the scanner: no lag.
    skewed = judge(CHECK, account(sku="Standard_RAGRS", stats=synced(-timedelta(minutes=2))), WARM)
    assert skewed.status == Status.PASS
    assert skewed.evidence["lag"] == "0s"


def test_a_status_that_is_not_text_is_unknown_not_live():
    for status in (5, {"state": "Live"}, ["Live"], True):
        doc = account(sku="Standard_RAGRS", stats={**synced(timedelta(minutes=3)), "status": status})
        assert judge(CHECK, doc, WARM).status == Status.UNKNOWN, status

