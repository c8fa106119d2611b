from checks.sql.geo_replication import SqlGeoReplicaCheck
from scanner.check import Severity, Status
from scanner.model import ReadGap
from tests.checks.sql.builders import DB_ID, SERVER_ID, database, failover_group, master, replication_link
from tests.helpers import example_body, inventory, judge, zone

CHECK = SqlGeoReplicaCheck()
WARM = zone("warm-spare", rpo="4h", rto="8h", secondary_region="eastasia")
HOT = zone("hot-spare", rpo="15m", rto="1h")


def verdict(*children, the_zone=WARM, gaps=None, db=None):
    db = db or database()
    return judge(CHECK, db, the_zone, inventory(db, *children, gaps=gaps))


def test_database_in_a_failover_group_with_a_partner_in_another_region_passes():
    result = verdict(failover_group())
    assert result.status == Status.PASS
    assert "failover group fog-testsvr -> eastasia" in result.evidence["observed"]


def test_link_of_either_role_to_another_region_passes():
    for role in ("Primary", "Secondary"):
        result = verdict(replication_link(role=role, partner_location="East Asia"), the_zone=HOT)
        assert result.status == Status.PASS, role


def test_database_without_replicas_fails_with_evidence():
    result = verdict()
    assert result.status == Status.FAIL
    assert result.severity == Severity.HIGH
    assert result.evidence["observed"] == "no failover group, no geo-replication link"
    assert "eastasia" in result.evidence["required"]
    assert result.requirement == "geo_redundancy=required (warm-spare default)"


def test_replicas_in_the_same_region_do_not_count():
    result = verdict(failover_group(partner_location="Southeast Asia"),
                     replication_link(partner_location="southeastasia"))
    assert result.status == Status.FAIL
    assert "same region" in result.evidence["observed"]


def test_named_replicas_and_groups_that_do_not_list_the_database_do_not_count():
    other_db = DB_ID.replace("testdb", "otherdb")
    result = verdict(failover_group(members=[other_db]), replication_link(link_type="NAMED"))
    assert result.status == Status.FAIL


def test_backup_restore_and_redeploy_zones_are_not_applicable():
    assert verdict(the_zone=zone("backup-restore")).status == Status.NOT_APPLICABLE
    assert verdict(the_zone=zone("redeploy")).status == Status.NOT_APPLICABLE
    relaxed = zone("warm-spare", requirements={"geo_redundancy": "optional"})
    assert verdict(the_zone=relaxed).status == Status.NOT_APPLICABLE


def test_system_database_is_out_of_scope():
    assert not CHECK.applies_to(inventory(master()).resources[0])


def test_unread_failover_groups_or_links_are_unknown_not_fail():
    gap = ReadGap(SERVER_ID, "Microsoft.Sql/servers/failoverGroups", "AuthorizationFailed", 403)
    result = verdict(gaps=[gap])
    assert result.status == Status.UNKNOWN
    assert result.gap == gap
    link_gap = ReadGap("/subscriptions/00000000-1111-2222-3333-444444444444", "*", "timeout")
    assert verdict(gaps=[link_gap]).status == Status.UNKNOWN


def test_a_replica_found_despite_a_gap_still_passes():
    gap = ReadGap(DB_ID, "Microsoft.Sql/servers/databases/replicationLinks", "AuthorizationFailed", 403)
    assert verdict(failover_group(), gaps=[gap]).status == Status.PASS


def test_failover_group_without_partner_region_is_unknown():
    result = verdict(failover_group(partner_location=None))
    assert result.status == Status.UNKNOWN
    assert "partner region" in result.evidence["missing"]


def test_partner_server_region_is_taken_from_the_inventory_when_the_group_omits_it():
    partner = example_body("sql/ServerList.json")["value"][0]
    partner["id"] = failover_group()["properties"]["partnerServers"][0]["id"]
    partner["location"] = "eastasia"
    assert verdict(failover_group(partner_location=None), partner).status == Status.PASS
    partner["location"] = "southeastasia"
    assert verdict(failover_group(partner_location=None), partner).status == Status.FAIL


def geo_secondary() -> dict:
    """`testdb`'s geo-secondary on the failover group's partner server in eastasia."""
    partner_server = failover_group()["properties"]["partnerServers"][0]["id"]
    secondary = database(secondaryType="Geo", createMode="Secondary")
    secondary.update(id=f"{partner_server}/databases/testdb", location="eastasia")
    return secondary


def test_geo_secondary_counts_when_only_the_primary_side_records_the_pair():
    # ARM lists a failover group and a replication link under both partners; a hand-written or partial
    # inventory may hold only the primary's side, which still names this database as its replica.
    secondary = geo_secondary()
    primary_link = replication_link(partner_location="East Asia")
    primary_link["properties"]["partnerDatabaseId"] = secondary["id"].upper()
    for side in (failover_group(), primary_link):
        result = judge(CHECK, secondary, WARM, inventory(database(), secondary, side))
        assert result.status == Status.PASS, side["id"]
        assert "southeastasia" in result.evidence["observed"][0]
    # The primary's side unread (and not in the inventory): the partner region is unknown, not a failure.
    group = failover_group()
    result = judge(CHECK, secondary, WARM, inventory(secondary, {**group, "location": None}))
    assert result.status == Status.UNKNOWN
    # A group of another server that does not hold this database's name proves nothing.
    other = failover_group(members=[DB_ID.replace("testdb", "otherdb")])
    assert judge(CHECK, secondary, WARM, inventory(database(), secondary, other)).status == Status.FAIL
