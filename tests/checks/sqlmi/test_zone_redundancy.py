from checks.sqlmi.zone_redundancy import ManagedInstanceZoneRedundancyCheck
from scanner.check import Severity, Status
from tests.checks.sqlmi.builders import instance
from tests.helpers import judge, zone

CHECK = ManagedInstanceZoneRedundancyCheck()
HOT = zone("hot-spare", rpo="15m", rto="1h")


def test_zone_redundant_instance_passes():
    assert judge(CHECK, instance(zoneRedundant=True), HOT).status == Status.PASS


def test_not_zone_redundant_fails_and_says_the_backup_storage_must_change_first():
    result = judge(CHECK, instance(zoneRedundant=False), HOT)  # the example keeps Geo backups
    assert result.status == Status.FAIL
    assert result.severity == Severity.MEDIUM
    assert "needs Zone or GeoZone backup storage (now Geo)" in result.message
    ready = judge(CHECK, instance(zoneRedundant=False, requestedBackupStorageRedundancy="GeoZone"), HOT)
    assert ready.status == Status.FAIL and "Enable zone redundancy" in ready.message


def test_not_applicable_without_availability_zones_and_unknown_in_an_unknown_region():
    result = judge(CHECK, instance(location="germanynorth", zoneRedundant=False), HOT)
    assert result.status == Status.NOT_APPLICABLE
    assert "region germanynorth has no availability zones" in result.message
    assert judge(CHECK, instance(location="contosocentral", zoneRedundant=False), HOT).status == Status.UNKNOWN
    assert judge(CHECK, instance(location="contosocentral", zoneRedundant=True), HOT).status == Status.PASS


def test_next_gen_general_purpose_and_optional_zones_are_not_applicable():
    next_gen = judge(CHECK, instance(zoneRedundant=False, isGeneralPurposeV2=True), HOT)
    assert next_gen.status == Status.NOT_APPLICABLE and "Next-gen" in next_gen.message
    assert judge(CHECK, instance(zoneRedundant=False), zone("warm-spare")).status == Status.NOT_APPLICABLE


def test_the_example_without_the_field_fails_on_its_geo_backups():
    # ManagedInstanceGet reports no zoneRedundant; its Geo backup storage rules zone redundancy out.
    result = judge(CHECK, instance(), HOT)
    assert result.status == Status.FAIL
    assert result.evidence["observed"] == "zoneRedundant not reported; currentBackupStorageRedundancy: Geo"
    local = instance(currentBackupStorageRedundancy="Local", requestedBackupStorageRedundancy="Local")
    assert judge(CHECK, local, HOT).status == Status.FAIL


def test_the_backups_in_effect_decide_while_a_change_is_requested():
    # Requested GeoZone, still Geo: the instance is not zone redundant yet.
    moving = instance(requestedBackupStorageRedundancy="GeoZone")
    assert judge(CHECK, moving, HOT).status == Status.FAIL


def test_without_the_field_zone_backups_leave_it_unknown():
    for backups in ("Zone", "GeoZone"):
        document = instance(currentBackupStorageRedundancy=backups, requestedBackupStorageRedundancy=backups)
        assert judge(CHECK, document, HOT).status == Status.UNKNOWN
    unread = instance(currentBackupStorageRedundancy=None, requestedBackupStorageRedundancy=None)
    assert judge(CHECK, unread, HOT).status == Status.UNKNOWN
    assert judge(CHECK, instance(zoneRedundant="yes"), HOT).status == Status.UNKNOWN


def test_the_requested_redundancy_decides_when_the_current_one_is_not_reported():
    result = judge(CHECK, instance(currentBackupStorageRedundancy=None, requestedBackupStorageRedundancy="Local"), HOT)
    assert result.status == Status.FAIL
    assert result.evidence["observed"] == "zoneRedundant not reported; requestedBackupStorageRedundancy: Local"
