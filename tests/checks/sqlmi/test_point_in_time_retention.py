from checks.sqlmi.point_in_time_retention import ManagedDatabasePointInTimeRetentionCheck
from scanner.check import Severity, Status
from scanner.model import ReadGap
from tests.checks.sqlmi.builders import database, instance, short_term
from tests.helpers import inventory, judge, zone

CHECK = ManagedDatabasePointInTimeRetentionCheck()
DB = database(instance())


def verdict(*policies, the_zone=None, gaps=None):
    return judge(CHECK, DB, the_zone or zone(), inventory(DB, *policies, gaps=gaps))


def test_the_example_policy_of_14_days_passes():
    assert verdict(short_term(DB)).status == Status.PASS


def test_a_window_shorter_than_the_zone_minimum_fails():
    result = verdict(short_term(DB, 7), the_zone=zone(requirements={"min_pitr_days": 14}))
    assert result.status == Status.FAIL
    assert result.severity == Severity.LOW
    assert result.evidence["observed"] == "7 days"


def test_no_minimum_is_not_applicable():
    assert verdict(short_term(DB, 1), the_zone=zone(requirements={"min_pitr_days": 0})).status \
        == Status.NOT_APPLICABLE


def test_an_unread_or_malformed_policy_is_unknown():
    gap = ReadGap(DB["id"], "Microsoft.Sql/managedInstances/databases/backupShortTermRetentionPolicies", "403", 403)
    result = verdict(gaps=[gap])
    assert result.status == Status.UNKNOWN and result.gap == gap
    assert verdict(short_term(DB, "14")).status == Status.UNKNOWN
