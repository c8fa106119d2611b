from checks.sql.backup_redundancy import SqlBackupRedundancyCheck
from scanner.check import Severity, Status
from tests.checks.sql.builders import database, master
from tests.helpers import inventory, judge, zone

CHECK = SqlBackupRedundancyCheck()


def test_geo_redundant_backups_pass():
    for value in ("Geo", "GeoZone"):
        db = database(requestedBackupStorageRedundancy=value, currentBackupStorageRedundancy=value)
        assert judge(CHECK, db, zone("backup-restore")).status == Status.PASS, value


def test_zone_redundant_backups_of_the_example_fail():
    result = judge(CHECK, database(), zone("warm-spare"))  # the example database keeps "Zone" backups
    assert result.status == Status.FAIL
    assert result.severity == Severity.HIGH
    assert result.evidence["observed"] == "Zone (requestedBackupStorageRedundancy)"
    assert result.evidence["required"] == "Geo or GeoZone"
    assert result.requirement == "geo_redundancy=required (warm-spare default)"


def test_requested_redundancy_wins_over_current():
    migrating = database(requestedBackupStorageRedundancy="GeoZone", currentBackupStorageRedundancy="Local")
    assert judge(CHECK, migrating, zone()).status == Status.PASS
    downgrading = database(requestedBackupStorageRedundancy="Local", currentBackupStorageRedundancy="Geo")
    assert judge(CHECK, downgrading, zone()).status == Status.FAIL
    current_only = database(requestedBackupStorageRedundancy=None, currentBackupStorageRedundancy="Local")
    result = judge(CHECK, current_only, zone())
    assert result.status == Status.FAIL
    assert result.evidence["observed"] == "Local (currentBackupStorageRedundancy)"


def test_not_applicable_where_geo_redundancy_is_optional():
    assert judge(CHECK, database(), zone("redeploy")).status == Status.NOT_APPLICABLE
    assert not CHECK.applies_to(inventory(master()).resources[0])


def test_missing_or_unrecognised_redundancy_is_unknown():
    missing = database(requestedBackupStorageRedundancy=None, currentBackupStorageRedundancy=None)
    assert judge(CHECK, missing, zone()).status == Status.UNKNOWN
    odd = database(requestedBackupStorageRedundancy="Tape")
    assert judge(CHECK, odd, zone()).status == Status.UNKNOWN
