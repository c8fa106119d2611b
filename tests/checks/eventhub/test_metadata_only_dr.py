from checks.eventhub.metadata_only_dr import EventHubsMetadataOnlyDrCheck
from scanner.check import Severity, Status
from scanner.model import ReadGap
from tests.checks.eventhub.builders import alias, geo_replicated, namespace
from tests.helpers import inventory, judge, zone

CHECK = EventHubsMetadataOnlyDrCheck()
HOT = zone("hot-spare", rpo="15m", rto="1h")


def test_an_alias_alone_fails_because_it_copies_no_events():
    primary = namespace()
    result = judge(CHECK, primary, HOT, inventory(primary, alias(primary, "evhns-sales-neu")))
    assert result.status == Status.FAIL
    assert result.severity == Severity.MEDIUM
    assert "not the events" in result.message
    assert result.evidence["observed"] == [
        "geo-DR alias evh-sales with evhns-sales-neu (partner region not in the inventory)"]


def test_geo_replication_or_a_declared_dual_load_partner_passes():
    replicated = geo_replicated()
    assert judge(CHECK, replicated, HOT, inventory(replicated, alias(replicated, "evhns-x"))).status == Status.PASS
    dual = namespace(tags={"bcdr-partner": "evhns-sales-neu"})
    assert judge(CHECK, dual, HOT, inventory(dual, alias(dual, "evhns-x"))).status == Status.PASS


def test_no_alias_the_secondary_and_weaker_zones_are_not_applicable():
    assert judge(CHECK, namespace(), HOT).status == Status.NOT_APPLICABLE
    secondary = namespace("evhns-sales-neu", "northeurope")
    assert judge(CHECK, secondary, HOT, inventory(secondary, alias(secondary, "evhns-sales-weu", role="Secondary"))) \
        .status == Status.NOT_APPLICABLE
    primary = namespace()
    assert judge(CHECK, primary, zone(), inventory(primary, alias(primary, "x"))).status == Status.NOT_APPLICABLE


def test_unread_aliases_are_unknown():
    ns = namespace()
    gap = ReadGap(ns["id"], "Microsoft.EventHub/namespaces/disasterRecoveryConfigs", "HTTP 500", 500)
    assert judge(CHECK, ns, HOT, inventory(ns, gaps=[gap])).status == Status.UNKNOWN
