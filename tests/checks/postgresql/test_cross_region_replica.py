from checks.postgresql.cross_region_replica import PostgreSqlCrossRegionReplicaCheck
from scanner.check import Severity, Status
from scanner.model import ReadGap
from tests.checks.postgresql.builders import SERVER_TYPE, replica, server
from tests.helpers import SUB, inventory, judge, zone

CHECK = PostgreSqlCrossRegionReplicaCheck()
HOT = zone("hot-spare", rpo="15m", rto="1h")


def test_a_replica_in_another_region_passes_in_a_hot_spare_zone():
    primary = server()
    result = judge(CHECK, primary, HOT, inventory(primary, replica(primary)))
    assert result.status == Status.PASS


def test_hot_spare_without_a_cross_region_replica_fails_even_with_geo_backup():
    result = judge(CHECK, server(), HOT)  # the example has geo-redundant backup
    assert result.status == Status.FAIL
    assert result.severity == Severity.HIGH
    assert "hot-spare" in result.message
    assert result.evidence["geo_restore"] == "RPO < 1 h, RTO varies (Microsoft's figures)"


def test_an_rpo_under_an_hour_rules_out_geo_restore_in_any_zone_that_needs_geo_redundancy():
    result = judge(CHECK, server(), zone("backup-restore", rpo="30m"))
    assert result.status == Status.FAIL
    assert "shorter than geo-restore's (under 1 hour)" in result.message
    assert result.requirement == "a copy that geo-restore cannot replace (backup-restore, RPO 30m)"
    for strategy, rpo in (("backup-restore", "1h"), ("warm-spare", "4h"), ("redeploy", "15m")):
        assert judge(CHECK, server(), zone(strategy, rpo=rpo)).status == Status.NOT_APPLICABLE, strategy


def test_burstable_servers_and_replicas_are_not_applicable():
    assert judge(CHECK, server(tier="Burstable"), HOT).status == Status.NOT_APPLICABLE
    primary = server()
    assert judge(CHECK, replica(primary), HOT, inventory(primary, replica(primary))).status == Status.NOT_APPLICABLE


def test_unread_servers_of_the_zone_make_it_unknown():
    primary = server()
    gap = ReadGap(f"/subscriptions/{SUB}", SERVER_TYPE, "AuthorizationFailed", 403)
    assert judge(CHECK, primary, HOT, inventory(primary, gaps=[gap])).status == Status.UNKNOWN
