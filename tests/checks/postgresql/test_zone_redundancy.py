from checks.postgresql.zone_redundancy import PostgreSqlZoneRedundancyCheck
from scanner.check import Severity, Status
from tests.checks.postgresql.builders import replica, server
from tests.helpers import inventory, judge, zone

CHECK = PostgreSqlZoneRedundancyCheck()
HOT = zone("hot-spare", rpo="15m", rto="1h")


def test_zone_redundant_high_availability_passes():
    assert judge(CHECK, server(mode="ZoneRedundant"), HOT).status == Status.PASS


def test_same_zone_or_no_high_availability_fails():
    for mode in ("SameZone", "Disabled"):
        result = judge(CHECK, server(mode=mode), HOT)
        assert result.status == Status.FAIL, mode
        assert result.severity == Severity.MEDIUM
        assert result.evidence["observed"] == f"highAvailability.mode: {mode}"
        assert result.requirement == "zone_redundancy=required (hot-spare default)"


def test_not_applicable_without_availability_zones_and_unknown_in_an_unknown_region():
    result = judge(CHECK, server(location="germanynorth", mode="Disabled"), HOT)
    assert result.status == Status.NOT_APPLICABLE
    assert "region germanynorth has no availability zones" in result.message
    assert judge(CHECK, server(location="contosocentral", mode="SameZone"), HOT).status == Status.UNKNOWN
    assert judge(CHECK, server(mode="SameZone"), HOT).evidence["region_has_availability_zones"] is True


def test_burstable_replicas_and_optional_zones_are_not_applicable():
    burstable = judge(CHECK, server(tier="Burstable", mode="Disabled"), HOT)
    assert burstable.status == Status.NOT_APPLICABLE and "Burstable" in burstable.message
    primary = server(mode="ZoneRedundant")
    assert judge(CHECK, replica(primary), HOT, inventory(primary, replica(primary))).status == Status.NOT_APPLICABLE
    assert judge(CHECK, server(mode="Disabled"), zone("warm-spare")).status == Status.NOT_APPLICABLE


def test_missing_high_availability_mode_is_unknown():
    assert judge(CHECK, server(mode=None), HOT).status == Status.UNKNOWN
