from checks.mysql.geo_redundancy import MySqlGeoCopyCheck
from scanner.check import Severity, Status
from scanner.model import ReadGap
from tests.checks.mysql.builders import SERVER_TYPE, replica, server
from tests.helpers import SUB, inventory, judge, zone

CHECK = MySqlGeoCopyCheck()


def test_geo_redundant_backup_or_a_cross_region_replica_passes():
    assert judge(CHECK, server(geoRedundantBackup="Enabled"), zone()).status == Status.PASS
    primary = server(role="Source")
    assert judge(CHECK, primary, zone(), inventory(primary, replica(primary))).status == Status.PASS


def test_the_example_server_fails_and_can_switch_to_geo_backup_now():
    result = judge(CHECK, server(), zone("warm-spare"))  # ServerGet: geoRedundantBackup Disabled, role None
    assert result.status == Status.FAIL
    assert result.severity == Severity.HIGH
    assert result.evidence["zone_redundant_backup_storage"] is False
    assert "can be switched on now" in result.message


def test_a_server_created_with_zone_redundant_ha_cannot_switch():
    for created in (server(mode="ZoneRedundant"), server(storage_redundancy="ZoneRedundancy")):
        result = judge(CHECK, created, zone())
        assert result.status == Status.FAIL
        assert result.evidence["zone_redundant_backup_storage"] is True
        assert "cannot switch to geo-redundant storage" in result.message


def test_a_source_whose_replicas_were_not_scanned_is_unknown():
    result = judge(CHECK, server(role="Source"), zone())
    assert result.status == Status.UNKNOWN
    assert "replicationRole Source" in result.evidence["missing"]


def test_unread_servers_hide_no_replica_of_a_server_that_reports_none():
    gap = ReadGap(f"/subscriptions/{SUB}", SERVER_TYPE, "HTTP 503 (retries exhausted)", 503)
    alone = server()  # replicationRole None: MySQL says it has no replicas
    assert judge(CHECK, alone, zone(), inventory(alone, gaps=[gap])).status == Status.FAIL
    silent = server()
    del silent["properties"]["replicationRole"]
    result = judge(CHECK, silent, zone(), inventory(silent, gaps=[gap]))
    assert result.status == Status.UNKNOWN and result.gap == gap


def test_replicas_and_zones_without_geo_requirement_are_not_applicable():
    primary = server(role="Source")
    copy = replica(primary)
    assert judge(CHECK, copy, zone(), inventory(primary, copy)).status == Status.NOT_APPLICABLE
    assert judge(CHECK, server(), zone("redeploy")).status == Status.NOT_APPLICABLE


def test_backup_settings_without_geo_redundant_backup_have_azures_default_disabled():
    result = judge(CHECK, server(geoRedundantBackup=None), zone())
    assert result.status == Status.FAIL
    assert "assumed_default" in result.evidence
    unread = server()
    del unread["properties"]["backup"]
    assert judge(CHECK, unread, zone()).status == Status.UNKNOWN
