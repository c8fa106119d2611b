from checks.sqlmi.long_term_retention import ManagedDatabaseLongTermRetentionCheck
from scanner.check import Status
from tests.checks.sqlmi.builders import database, instance, long_term
from tests.helpers import inventory, judge, zone

CHECK = ManagedDatabaseLongTermRetentionCheck()
DB = database(instance())
REQUIRED = zone("hot-spare", rpo="15m", rto="1h", requirements={"long_term_retention": "required"})


def test_the_example_policy_keeps_long_term_backups():
    result = judge(CHECK, DB, REQUIRED, inventory(DB, long_term(DB)))
    assert result.status == Status.PASS
    assert result.evidence["observed"] == {"weeklyRetention": "P1M", "monthlyRetention": "P1Y",
                                           "yearlyRetention": "P5Y"}


def test_a_policy_keeping_nothing_fails():
    empty = long_term(DB, weeklyRetention="PT0S", monthlyRetention=None, yearlyRetention="PT0S")
    result = judge(CHECK, DB, REQUIRED, inventory(DB, empty))
    assert result.status == Status.FAIL
    assert result.requirement == "long_term_retention=required (zone override)"


def test_not_applicable_unless_required_and_unknown_when_not_read():
    assert judge(CHECK, DB, zone(), inventory(DB, long_term(DB))).status == Status.NOT_APPLICABLE
    assert judge(CHECK, DB, REQUIRED, inventory(DB)).status == Status.UNKNOWN
