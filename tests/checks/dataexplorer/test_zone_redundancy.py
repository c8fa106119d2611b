from checks.dataexplorer.zone_redundancy import DataExplorerZoneRedundancyCheck
from scanner.check import Severity, Status
from tests.checks.dataexplorer.builders import cluster
from tests.helpers import judge, zone

CHECK = DataExplorerZoneRedundancyCheck()
HOT = zone("hot-spare", rpo="15m", rto="1h")


def test_a_cluster_over_several_zones_passes():
    result = judge(CHECK, cluster(zones=["1", "2", "3"], zone_status="Zonal"), HOT)
    assert result.status == Status.PASS
    assert result.evidence["observed"] == ["1", "2", "3"]


def test_the_example_cluster_without_zones_fails():
    result = judge(CHECK, cluster(), HOT)  # KustoClustersGet: zoneStatus NonZonal, no zones
    assert result.status == Status.FAIL
    assert result.severity == Severity.MEDIUM
    assert result.evidence["observed"] == "no availability zones"
    assert result.evidence["zone_status"] == "NonZonal"


def test_a_single_zone_or_an_inconsistent_placement_fails():
    pinned = judge(CHECK, cluster(zones=["2"]), HOT)
    assert pinned.status == Status.FAIL and "pinned to availability zone 2" in pinned.message
    inconsistent = judge(CHECK, cluster(zones=["1", "2", "3"], zone_status="ZonalInconsistency"), HOT)
    assert inconsistent.status == Status.FAIL


def test_not_applicable_without_availability_zones_and_unknown_in_an_unknown_region():
    result = judge(CHECK, cluster(location="germanynorth"), HOT)
    assert result.status == Status.NOT_APPLICABLE
    assert "region germanynorth has no availability zones" in result.message
    assert judge(CHECK, cluster(location="contosocentral"), HOT).status == Status.UNKNOWN


def test_optional_zone_redundancy_is_not_applicable_and_malformed_zones_unknown():
    assert judge(CHECK, cluster(), zone("warm-spare")).status == Status.NOT_APPLICABLE
    assert judge(CHECK, cluster(zones="1,2,3"), HOT).status == Status.UNKNOWN
