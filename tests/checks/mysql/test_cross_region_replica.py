from checks.mysql.cross_region_replica import MySqlCrossRegionReplicaCheck
from scanner.check import Status
from tests.checks.mysql.builders import replica, server
from tests.helpers import inventory, judge, zone

CHECK = MySqlCrossRegionReplicaCheck()
HOT = zone("hot-spare", rpo="15m", rto="1h")


def test_hot_spare_needs_a_replica_in_another_region():
    primary = server(role="Source")
    assert judge(CHECK, primary, HOT, inventory(primary, replica(primary))).status == Status.PASS
    assert judge(CHECK, server(geoRedundantBackup="Enabled"), HOT).status == Status.FAIL


def test_an_rpo_under_an_hour_rules_out_geo_restore():
    assert judge(CHECK, server(), zone("warm-spare", rpo="30m")).status == Status.FAIL
    assert judge(CHECK, server(), zone("warm-spare", rpo="4h")).status == Status.NOT_APPLICABLE


def test_a_replica_in_the_same_region_does_not_count():
    primary = server(role="Source")
    local = replica(primary, location="westeurope")
    result = judge(CHECK, primary, HOT, inventory(primary, local))
    assert result.status == Status.FAIL
    assert "same region" in result.evidence["observed"]


def test_burstable_and_replicas_are_not_applicable_unseen_replicas_are_unknown():
    assert judge(CHECK, server(burstable=True), HOT).status == Status.NOT_APPLICABLE
    primary = server(role="Source")
    assert judge(CHECK, replica(primary), HOT, inventory(primary, replica(primary))).status == Status.NOT_APPLICABLE
    assert judge(CHECK, primary, HOT).status == Status.UNKNOWN
