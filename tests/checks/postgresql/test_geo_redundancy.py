from checks.postgresql.geo_redundancy import PostgreSqlGeoCopyCheck
from scanner.check import Severity, Status
from scanner.model import ReadGap
from tests.checks.postgresql.builders import SERVER_TYPE, replica, server
from tests.helpers import SUB, inventory, judge, zone

CHECK = PostgreSqlGeoCopyCheck()
NO_GEO = {"geoRedundantBackup": "Disabled"}


def test_geo_redundant_backup_of_the_example_passes():
    result = judge(CHECK, server(), zone("backup-restore"))
    assert result.status == Status.PASS
    assert result.evidence["observed"] == "geoRedundantBackup: Enabled"


def test_a_read_replica_in_another_region_is_a_copy_without_geo_backup():
    primary = server(**NO_GEO)
    result = judge(CHECK, primary, zone("warm-spare"), inventory(primary, replica(primary)))
    assert result.status == Status.PASS
    assert result.evidence["observed"] == ["read replica psql-orders-neu in northeurope"]


def test_no_geo_backup_and_no_replica_fails_and_says_geo_backup_is_chosen_at_creation():
    result = judge(CHECK, server(**NO_GEO), zone("hot-spare", rpo="15m", rto="1h"))
    assert result.status == Status.FAIL
    assert result.severity == Severity.HIGH
    assert result.requirement == "geo_redundancy=required (hot-spare default)"
    assert "only be chosen at server creation" in result.message
    assert "only be chosen when a server is created" in CHECK.remediation.summary
    assert result.evidence["paired_region"] == "northeurope"


def test_a_replica_in_the_same_region_is_no_copy_elsewhere():
    primary = server(**NO_GEO)
    local = replica(primary, name="psql-orders-read", location="westeurope", role="AsyncReplica")
    result = judge(CHECK, primary, zone(), inventory(primary, local))
    assert result.status == Status.FAIL
    assert "same region westeurope" in result.evidence["observed"]


def test_in_a_region_without_a_pair_only_a_replica_can_help():
    result = judge(CHECK, server(location="polandcentral", **NO_GEO), zone())
    assert result.status == Status.FAIL
    assert result.evidence["paired_region"] is None
    assert "no paired region" in result.message


def test_a_declared_partner_counts_as_a_copy():
    primary = server(tags={"bcdr-partner": "psql-orders-elsewhere"}, **NO_GEO)
    result = judge(CHECK, primary, zone())
    assert result.status == Status.PASS
    assert "taken as declared" in result.evidence["observed"][0]


def test_not_applicable_without_geo_requirement_and_to_a_replica():
    assert judge(CHECK, server(**NO_GEO), zone("redeploy")).status == Status.NOT_APPLICABLE
    primary = server(**NO_GEO)
    result = judge(CHECK, replica(primary), zone(), inventory(primary, replica(primary)))
    assert result.status == Status.NOT_APPLICABLE
    assert "read replica (GeoAsyncReplica) of psql-orders-weu" in result.message


def test_backup_settings_without_geo_redundant_backup_have_azures_default_disabled():
    # Other tools' exports (PSRule's test data) leave the field out; geo backup is off unless chosen at creation.
    result = judge(CHECK, server(geoRedundantBackup=None), zone())
    assert result.status == Status.FAIL
    assert result.evidence["assumed_default"] == "geoRedundantBackup not stated: Azure's default, Disabled"


def test_unread_setting_or_unread_servers_are_unknown():
    unread = server()
    del unread["properties"]["backup"]
    assert judge(CHECK, unread, zone()).status == Status.UNKNOWN
    primary = server(**NO_GEO)
    gap = ReadGap(f"/subscriptions/{SUB}", SERVER_TYPE, "HTTP 429 (retries exhausted)", 429)
    result = judge(CHECK, primary, zone(), inventory(primary, gaps=[gap]))
    assert result.status == Status.UNKNOWN
    assert result.gap == gap
