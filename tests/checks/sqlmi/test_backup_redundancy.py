from checks.sqlmi.backup_redundancy import ManagedInstanceBackupRedundancyCheck
from scanner.check import Status
from tests.checks.sqlmi.builders import failover_group, instance
from tests.helpers import inventory, judge, zone

CHECK = ManagedInstanceBackupRedundancyCheck()


def test_geo_backups_of_the_example_pass():
    assert judge(CHECK, instance(), zone()).status == Status.PASS  # requested/current: Geo
    assert judge(CHECK, instance(requestedBackupStorageRedundancy="GeoZone"), zone()).status == Status.PASS


def test_local_or_zone_backups_fail():
    for value in ("Local", "Zone"):
        result = judge(CHECK, instance(requestedBackupStorageRedundancy=value), zone("backup-restore"))
        assert result.status == Status.FAIL, value
        assert result.evidence["observed"] == f"{value} (requestedBackupStorageRedundancy)"
        assert result.requirement == "geo_redundancy=required (backup-restore default)"


def test_not_applicable_to_a_geo_secondary_and_without_geo_requirement():
    primary = instance()
    secondary = instance("sqlmi-sales-neu", "northeurope", requestedBackupStorageRedundancy="Local")
    inv = inventory(primary, secondary, failover_group(primary, secondary))
    assert judge(CHECK, secondary, zone(), inv).status == Status.NOT_APPLICABLE
    assert judge(CHECK, instance(requestedBackupStorageRedundancy="Local"), zone("redeploy")).status \
        == Status.NOT_APPLICABLE


def test_missing_or_unrecognised_redundancy_is_unknown():
    missing = instance(requestedBackupStorageRedundancy=None, currentBackupStorageRedundancy=None)
    assert judge(CHECK, missing, zone()).status == Status.UNKNOWN
    assert judge(CHECK, instance(requestedBackupStorageRedundancy="Tape"), zone()).status == Status.UNKNOWN
