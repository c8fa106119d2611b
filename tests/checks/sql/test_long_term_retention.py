from checks.sql.long_term_retention import SqlLongTermRetentionCheck
from scanner.check import Severity, Status
from scanner.model import ReadGap
from tests.checks.sql.builders import DB_ID, database, long_term_retention, master
from tests.helpers import inventory, judge, zone

CHECK = SqlLongTermRetentionCheck()
REQUIRED = zone("hot-spare", rpo="15m", rto="1h", requirements={"long_term_retention": "required"})


def verdict(*children, the_zone=REQUIRED, gaps=None):
    db = database()
    return judge(CHECK, db, the_zone, inventory(db, *children, gaps=gaps))


def test_any_long_term_retention_passes():
    result = verdict(long_term_retention())  # the example: P1M weekly, P1Y monthly, P5Y yearly
    assert result.status == Status.PASS
    assert result.evidence["observed"] == {"weeklyRetention": "P1M", "monthlyRetention": "P1Y",
                                           "yearlyRetention": "P5Y"}
    assert verdict(long_term_retention(weekly=None, monthly="PT0S", yearly="P10Y")).status == Status.PASS


def test_the_examples_provider_scoped_policy_id_is_accepted():
    assert verdict(long_term_retention(provider_scoped=True)).status == Status.PASS


def test_no_long_term_retention_fails():
    for policy in (long_term_retention(weekly="PT0S", monthly="PT0S", yearly="PT0S"),
                   long_term_retention(weekly=None, monthly=None, yearly=None)):
        result = verdict(policy)
        assert result.status == Status.FAIL
        assert result.severity == Severity.MEDIUM
        assert result.requirement == "long_term_retention=required (zone override)"
        assert set(result.evidence["observed"]) == {"weeklyRetention", "monthlyRetention", "yearlyRetention"}


def test_not_applicable_where_long_term_retention_is_optional():
    empty = long_term_retention(weekly="PT0S", monthly="PT0S", yearly="PT0S")
    assert verdict(empty, the_zone=zone("hot-spare", rpo="15m", rto="1h")).status == Status.NOT_APPLICABLE
    assert not CHECK.applies_to(inventory(master()).resources[0])


def test_missing_policy_is_unknown():
    assert verdict().status == Status.UNKNOWN
    gap = ReadGap(DB_ID, "Microsoft.Sql/servers/databases/backupLongTermRetentionPolicies", "Forbidden", 403)
    result = verdict(gaps=[gap])
    assert result.status == Status.UNKNOWN and result.gap == gap
