from checks.eventhub.zone_redundancy import EventHubsZoneRedundancyCheck
from scanner.check import Status
from tests.checks.eventhub.builders import namespace
from tests.helpers import judge, zone

CHECK = EventHubsZoneRedundancyCheck()
HOT = zone("hot-spare", rpo="15m", rto="1h")


def test_a_region_with_availability_zones_makes_the_namespace_zone_redundant_whatever_the_field_says():
    result = judge(CHECK, namespace(zone_redundant=False), HOT)  # the example reads zoneRedundant: false
    assert result.status == Status.PASS
    assert result.evidence["zoneRedundant"] is False
    assert result.evidence["region_has_availability_zones"] is True


def test_zone_redundant_true_is_taken_as_given():
    assert judge(CHECK, namespace("evhns-x", "unknownregion", zone_redundant=True), HOT).status == Status.PASS


def test_a_region_without_availability_zones_fails():
    result = judge(CHECK, namespace("evhns-sales-frs", "francesouth"), HOT)
    assert result.status == Status.FAIL
    assert result.evidence["observed"] == "region francesouth without availability zones"


def test_unknown_region_metadata_is_unknown_and_optional_zones_not_applicable():
    assert judge(CHECK, namespace(location="unknownregion"), HOT).status == Status.UNKNOWN
    assert judge(CHECK, namespace(location="francesouth"), zone("warm-spare")).status == Status.NOT_APPLICABLE
