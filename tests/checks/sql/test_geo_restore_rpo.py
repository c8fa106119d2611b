from checks.sql.geo_restore_rpo import SqlGeoRestoreRpoCheck
from scanner.check import Severity, Status
from scanner.model import ReadGap
from tests.checks.sql.builders import DB_ID, database, failover_group, master, replication_link
from tests.helpers import inventory, judge, zone

CHECK = SqlGeoRestoreRpoCheck()
TIGHT = zone("backup-restore", rpo="30m", rto="12h")


def verdict(*children, the_zone=TIGHT, gaps=None):
    db = database()
    return judge(CHECK, db, the_zone, inventory(db, *children, gaps=gaps))


def test_geo_replica_meets_a_sub_hour_rpo():
    assert verdict(replication_link(partner_location="East Asia")).status == Status.PASS
    assert verdict(failover_group("Manual", None)).status == Status.PASS


def test_geo_restore_alone_fails_a_sub_hour_rpo():
    result = verdict()
    assert result.status == Status.FAIL
    assert result.severity == Severity.HIGH
    assert "geo-restore only" in result.evidence["observed"]
    assert "30m" in result.requirement
    # A same-region replica leaves geo-restore as the only cross-region recovery.
    assert verdict(replication_link(partner_location="Southeast Asia")).status == Status.FAIL


def test_not_applicable_for_an_rpo_of_an_hour_or_more_or_other_strategies():
    assert verdict(the_zone=zone("backup-restore", rpo="1h")).status == Status.NOT_APPLICABLE
    assert verdict(the_zone=zone("backup-restore", rpo="24h")).status == Status.NOT_APPLICABLE
    assert verdict(the_zone=zone("hot-spare", rpo="15m", rto="1h")).status == Status.NOT_APPLICABLE
    assert verdict(the_zone=zone("redeploy", rpo="15m")).status == Status.NOT_APPLICABLE
    assert not CHECK.applies_to(inventory(master()).resources[0])


def test_unread_links_are_unknown():
    gap = ReadGap(DB_ID, "Microsoft.Sql/servers/databases/replicationLinks", "AuthorizationFailed", 403)
    result = verdict(gaps=[gap])
    assert result.status == Status.UNKNOWN
    assert result.gap == gap


def test_geo_secondary_recorded_only_on_the_primary_side_is_not_geo_restore_alone():
    partner_server = failover_group()["properties"]["partnerServers"][0]["id"]
    secondary = database(secondaryType="Geo", createMode="Secondary")
    secondary.update(id=f"{partner_server}/databases/testdb", location="eastasia")
    result = judge(CHECK, secondary, TIGHT, inventory(database(), secondary, failover_group()))
    assert result.status == Status.PASS
