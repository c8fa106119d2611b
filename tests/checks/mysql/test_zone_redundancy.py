from checks.mysql.zone_redundancy import MySqlZoneRedundancyCheck
from scanner.check import Status
from tests.checks.mysql.builders import replica, server
from tests.helpers import inventory, judge, zone

CHECK = MySqlZoneRedundancyCheck()
HOT = zone("hot-spare", rpo="15m", rto="1h")


def test_zone_redundant_ha_passes_and_same_zone_fails():
    assert judge(CHECK, server(mode="ZoneRedundant"), HOT).status == Status.PASS
    result = judge(CHECK, server(mode="SameZone"), HOT)
    assert result.status == Status.FAIL
    assert result.evidence["observed"] == "highAvailability.mode: SameZone"
    assert "chosen at server creation" in result.message


def test_a_server_created_zone_redundant_can_switch_back():
    result = judge(CHECK, server(mode="Disabled", storage_redundancy="ZoneRedundancy"), HOT)
    assert result.status == Status.FAIL
    assert "switch HA back" in result.message


def test_burstable_and_replicas_are_not_applicable():
    burstable = judge(CHECK, server(burstable=True), HOT)  # ServersList's Burstable server
    assert burstable.status == Status.NOT_APPLICABLE
    assert "high availability is not supported" in burstable.message
    primary = server(role="Source")
    assert judge(CHECK, replica(primary), HOT, inventory(primary, replica(primary))).status == Status.NOT_APPLICABLE
    assert judge(CHECK, server(), zone("backup-restore")).status == Status.NOT_APPLICABLE


def test_missing_mode_is_unknown():
    assert judge(CHECK, server(mode=None), HOT).status == Status.UNKNOWN


def test_not_applicable_without_availability_zones_and_unknown_in_an_unknown_region():
    result = judge(CHECK, server(mode="SameZone", location="germanynorth"), HOT)
    assert result.status == Status.NOT_APPLICABLE
    assert "region germanynorth has no availability zones" in result.message
    assert judge(CHECK, server(mode="SameZone", location="contosocentral"), HOT).status == Status.UNKNOWN
