from checks.eventhub.zone_redundancy import EventHubsZoneRedundancyCheck
from scanner.check import Status
from tests.checks.eventhub.builders import dedicated_cluster, namespace
from tests.helpers import inventory, judge, zone

CHECK = EventHubsZoneRedundancyCheck()
HOT = zone("hot-spare", rpo="15m", rto="1h")


def test_a_region_with_availability_zones_makes_the_namespace_zone_redundant_whatever_the_field_says():
    result = judge(CHECK, namespace(zone_redundant=False), HOT)  # the example reads zoneRedundant: false
    assert result.status == Status.PASS
    assert result.evidence["zoneRedundant"] is False
    assert result.evidence["region_has_availability_zones"] is True
    assert result.message.startswith("westeurope has availability zones")


def test_zone_redundant_true_is_taken_as_given():
    assert judge(CHECK, namespace("evhns-x", "unknownregion", zone_redundant=True), HOT).status == Status.PASS


def test_not_applicable_without_availability_zones_and_unknown_in_an_unknown_region():
    result = judge(CHECK, namespace("evhns-sales-frs", "francesouth"), HOT)
    assert result.status == Status.NOT_APPLICABLE
    assert "region francesouth has no availability zones" in result.message
    assert judge(CHECK, namespace(location="unknownregion"), HOT).status == Status.UNKNOWN
    assert judge(CHECK, namespace(location="francesouth"), zone("warm-spare")).status == Status.NOT_APPLICABLE


def test_a_dedicated_cluster_below_three_capacity_units_fails_and_from_three_passes():
    small = dedicated_cluster(capacity=1)
    doc = namespace(cluster=small, zone_redundant=True)
    result = judge(CHECK, doc, HOT, inventory(doc, small))
    assert result.status == Status.FAIL
    assert result.evidence["capacity_units"] == 1
    assert result.evidence["cluster"] == small["id"]
    assert "from 3 CUs" in result.message
    large = dedicated_cluster(capacity=3)
    doc = namespace(cluster=large)
    assert judge(CHECK, doc, HOT, inventory(doc, large)).status == Status.PASS


def test_a_dedicated_cluster_not_read_or_without_capacity_is_unknown():
    small = dedicated_cluster(capacity=1)
    assert judge(CHECK, namespace(cluster=small), HOT).status == Status.UNKNOWN  # the cluster is not in the inventory
    for capacity in ("one", 0, -2, True):
        odd = dedicated_cluster(capacity=capacity)
        doc = namespace(cluster=odd)
        assert judge(CHECK, doc, HOT, inventory(doc, odd)).status == Status.UNKNOWN, capacity
    no_zones = dedicated_cluster(location="francesouth")
    doc = namespace(location="francesouth", cluster=no_zones)
    assert judge(CHECK, doc, HOT, inventory(doc, no_zones)).status == Status.NOT_APPLICABLE
