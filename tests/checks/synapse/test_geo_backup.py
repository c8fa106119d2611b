from checks.synapse.geo_backup import SqlPoolGeoBackupCheck
from scanner.check import Severity, Status
from scanner.model import ReadGap
from tests.helpers import arm, inventory, judge, zone

CHECK = SqlPoolGeoBackupCheck()
WORKSPACE = "synw-sales-weu"


def pool(status: str = "Online") -> dict:
    """A dedicated SQL pool as SqlPools_Get returns it (2021-06-01)."""
    return arm("Microsoft.Synapse/workspaces/sqlPools", f"{WORKSPACE}/sqldwsales", location="West Europe",
               tags={"workload": "sales-dwh"}, sku={"name": "DW500c", "tier": ""},
               properties={"status": status, "collation": "SQL_Latin1_General_CP1_CI_AS",
                           "maxSizeBytes": 263882790666240, "creationDate": "2025-03-04T09:12:44.53Z",
                           "provisioningState": "Succeeded", "restorePointInTime": "0001-01-01T00:00:00Z",
                           "storageAccountType": "GRS"})


def geo_backup_policy(state: str | None) -> dict:
    """The pool's geo-backup policy as SqlPoolGeoBackupPolicies_Get returns it."""
    return arm("Microsoft.Synapse/workspaces/sqlPools/geoBackupPolicies", f"{WORKSPACE}/sqldwsales/Default",
               location="West Europe", kind=None, properties={"state": state, "storageType": "Premium"})


def verdict(pool_doc: dict, *children: dict, strategy: str = "backup-restore", gaps=None, **zone_args):
    return judge(CHECK, pool_doc, zone(strategy, **zone_args), inventory(pool_doc, *children, gaps=gaps))


def test_enabled_geo_backup_passes():
    result = verdict(pool(), geo_backup_policy("Enabled"), strategy="hot-spare", rpo="15m", rto="1h")
    assert result.status == Status.PASS
    assert result.evidence["observed"] == "Enabled"


def test_disabled_geo_backup_fails_even_when_the_pool_is_paused():
    result = verdict(pool("Paused"), geo_backup_policy("Disabled"), strategy="warm-spare")
    assert result.status == Status.FAIL
    assert result.severity == Severity.HIGH
    assert result.evidence["observed"] == "Disabled"
    assert result.evidence["required"] == "Enabled"
    assert result.evidence["pool_status"] == "Paused"
    assert "paused" in result.message
    assert result.requirement == "geo_redundancy=required (warm-spare default)"


def test_redeploy_zone_is_not_applicable_unless_overridden():
    assert verdict(pool(), geo_backup_policy("Disabled"), strategy="redeploy").status == Status.NOT_APPLICABLE
    result = verdict(pool(), geo_backup_policy("Disabled"), strategy="redeploy",
                     requirements={"geo_redundancy": "required"})
    assert result.status == Status.FAIL


def test_missing_policy_is_unknown_never_pass():
    result = verdict(pool())
    assert result.status == Status.UNKNOWN
    assert result.gap is None


def test_unread_policy_is_unknown_with_the_read_error():
    doc = pool()
    gap = ReadGap(doc["id"], "Microsoft.Synapse/workspaces/sqlPools/geoBackupPolicies", "throttled", 429)
    result = verdict(doc, gaps=[gap])
    assert result.status == Status.UNKNOWN
    assert result.evidence["read_error"] == "throttled"


def test_policy_of_another_pool_or_without_a_state_does_not_count():
    other = geo_backup_policy("Enabled")
    other["id"] = other["id"].replace("/sqldwsales/", "/sqldwarchive/")
    assert verdict(pool(), other).status == Status.UNKNOWN
    assert verdict(pool(), geo_backup_policy(None)).status == Status.UNKNOWN
