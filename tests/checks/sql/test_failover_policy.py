from checks.sql.failover_policy import SqlFailoverGroupPolicyCheck
from scanner.check import Severity, Status
from scanner.model import ReadGap
from tests.checks.sql.builders import SERVER_ID, database, failover_group, master, replication_link
from tests.helpers import inventory, judge, zone

CHECK = SqlFailoverGroupPolicyCheck()
HOT = zone("hot-spare", rpo="15m", rto="1h")


def verdict(*children, the_zone=HOT, gaps=None):
    db = database()
    return judge(CHECK, db, the_zone, inventory(db, *children, gaps=gaps))


def test_automatic_failover_within_the_rto_passes():
    assert verdict(failover_group("Automatic", 60)).status == Status.PASS


def test_manual_failover_policy_fails_medium():
    result = verdict(failover_group("Manual", None))
    assert result.status == Status.FAIL
    assert result.severity == Severity.MEDIUM
    assert result.evidence["observed"] == "Manual (failover group fog-testsvr)"
    assert result.requirement == "automatic_failover=required (hot-spare default)"


def test_grace_period_longer_than_the_rto_fails_high():
    # The example's own group: Automatic with a 480-minute grace period.
    result = verdict(failover_group("Automatic", 480))
    assert result.status == Status.FAIL
    assert result.severity == Severity.HIGH
    assert "480 minutes" in result.evidence["observed"]
    assert "1h" in result.evidence["required"]
    # The same group meets a longer RTO.
    assert verdict(failover_group("Automatic", 480), the_zone=zone("hot-spare", rto="8h")).status == Status.PASS


def test_worst_group_decides():
    second = failover_group("Automatic", 480, name="fog-reporting")
    result = verdict(failover_group("Manual", None), second)
    assert result.status == Status.FAIL
    assert result.severity == Severity.HIGH
    assert "fog-reporting" in result.evidence["failover_group"]


def test_not_applicable_without_group_or_without_the_requirement():
    assert verdict().status == Status.NOT_APPLICABLE
    # A geo-replication link without a failover group is SQL-001's business, not this check's.
    assert verdict(replication_link()).status == Status.NOT_APPLICABLE
    assert verdict(failover_group("Manual", None), the_zone=zone("warm-spare")).status == Status.NOT_APPLICABLE
    forced = zone("warm-spare", rto="8h", requirements={"automatic_failover": "required"})
    assert verdict(failover_group("Manual", None), the_zone=forced).status == Status.FAIL
    assert not CHECK.applies_to(inventory(master()).resources[0])


def test_unread_groups_or_policy_are_unknown():
    gap = ReadGap(SERVER_ID, "Microsoft.Sql/servers/failoverGroups", "AuthorizationFailed", 403)
    result = verdict(gaps=[gap])
    assert result.status == Status.UNKNOWN and result.gap == gap
    # A passing group does not prove there is no other, unread, Manual one.
    assert verdict(failover_group(), gaps=[gap]).status == Status.UNKNOWN
    assert verdict(failover_group(None, None)).status == Status.UNKNOWN
    assert verdict(failover_group("Automatic", None)).status == Status.UNKNOWN
