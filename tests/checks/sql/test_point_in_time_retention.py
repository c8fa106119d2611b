from checks.sql.point_in_time_retention import SqlPointInTimeRetentionCheck
from scanner.check import Severity, Status
from scanner.model import ReadGap
from tests.checks.sql.builders import DB_ID, database, master, short_term_retention
from tests.helpers import inventory, judge, zone

CHECK = SqlPointInTimeRetentionCheck()


def verdict(*children, the_zone=None, gaps=None, db=None):
    db = db or database()
    return judge(CHECK, db, the_zone or zone("backup-restore"), inventory(db, *children, gaps=gaps))


def test_retention_at_the_zone_minimum_passes():
    result = verdict(short_term_retention(7))  # the example's 7 days against the default minimum of 7
    assert result.status == Status.PASS
    assert result.evidence["observed"] == 7


def test_retention_below_the_zone_minimum_fails():
    strict = zone("backup-restore", requirements={"min_pitr_days": 14})
    result = verdict(short_term_retention(7), the_zone=strict)
    assert result.status == Status.FAIL
    assert result.severity == Severity.LOW
    assert result.evidence == {"observed": "7 days", "required": ">= 14 days"}
    assert result.requirement == "min_pitr_days=14 (zone override)"
    assert verdict(short_term_retention(3), the_zone=zone("redeploy")).status == Status.FAIL


def test_basic_tier_failure_says_the_tier_caps_retention():
    basic = database()
    basic["sku"] = {"name": "Basic", "tier": "Basic", "capacity": 5}
    strict = zone("warm-spare", requirements={"min_pitr_days": 14})
    result = verdict(short_term_retention(7), the_zone=strict, db=basic)
    assert "Basic tier keeps at most 7 days" in result.evidence["note"]


def test_not_applicable_when_the_zone_sets_no_minimum():
    relaxed = zone("redeploy", requirements={"min_pitr_days": 0})
    assert verdict(short_term_retention(1), the_zone=relaxed).status == Status.NOT_APPLICABLE
    assert not CHECK.applies_to(inventory(master()).resources[0])


def test_missing_policy_is_unknown():
    assert verdict().status == Status.UNKNOWN
    gap = ReadGap(DB_ID, "Microsoft.Sql/servers/databases/backupShortTermRetentionPolicies", "Forbidden", 403)
    result = verdict(gaps=[gap])
    assert result.status == Status.UNKNOWN and result.gap == gap
    assert verdict(short_term_retention(None)).status == Status.UNKNOWN
