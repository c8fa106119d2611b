from checks.eventhub.geo_disaster_recovery import EventHubsGeoProtectionCheck
from scanner.check import Severity, Status
from scanner.model import ReadGap
from tests.checks.eventhub.builders import alias, geo_replicated, namespace
from tests.helpers import inventory, judge, zone

CHECK = EventHubsGeoProtectionCheck()
WARM = zone("warm-spare")


def test_geo_replication_to_another_region_passes():
    result = judge(CHECK, geo_replicated(), WARM)
    assert result.status == Status.PASS
    assert result.evidence["observed"] == ["geo-replication to northeurope"]


def test_a_geo_dr_alias_with_a_namespace_in_another_region_passes():
    primary, secondary = namespace(), namespace("evhns-sales-neu", "northeurope")
    inv = inventory(primary, secondary, alias(primary, secondary["id"]))
    result = judge(CHECK, primary, WARM, inv)
    assert result.status == Status.PASS
    assert "northeurope" in result.message


def test_a_namespace_without_either_fails():
    result = judge(CHECK, namespace(), zone("hot-spare", rpo="15m", rto="1h"))
    assert result.status == Status.FAIL
    assert result.severity == Severity.HIGH
    assert result.evidence["observed"] == "no geo-replication, no geo-DR alias"


def test_an_alias_within_the_same_region_or_no_longer_replicating_does_not_count():
    primary, neighbour = namespace(), namespace("evhns-sales-weu2")
    same = judge(CHECK, primary, WARM, inventory(primary, neighbour, alias(primary, neighbour["name"])))
    assert same.status == Status.FAIL and "same region" in same.evidence["observed"]
    broken = alias(primary, "evhns-sales-neu", role="PrimaryNotReplicating")
    assert judge(CHECK, primary, WARM, inventory(primary, broken)).status == Status.FAIL


def test_the_passive_secondary_basic_tier_and_weaker_zones_are_not_applicable():
    primary, secondary = namespace(), namespace("evhns-sales-neu", "northeurope")
    inv = inventory(primary, secondary, alias(secondary, primary["id"], role="Secondary"))
    assert judge(CHECK, secondary, WARM, inv).status == Status.NOT_APPLICABLE
    basic = judge(CHECK, namespace(tier="Basic"), WARM)
    assert basic.status == Status.NOT_APPLICABLE and "Basic tier" in basic.message
    assert judge(CHECK, namespace(), zone("backup-restore")).status == Status.NOT_APPLICABLE


def test_unread_aliases_are_unknown():
    ns = namespace()
    gap = ReadGap(ns["id"], "Microsoft.EventHub/namespaces/disasterRecoveryConfigs", "HTTP 403", 403)
    assert judge(CHECK, ns, WARM, inventory(ns, gaps=[gap])).status == Status.UNKNOWN
