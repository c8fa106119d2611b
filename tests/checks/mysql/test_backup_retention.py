from checks.mysql.backup_retention import MySqlBackupRetentionCheck
from scanner.check import Status
from tests.checks.mysql.builders import replica, server
from tests.helpers import inventory, judge, zone

CHECK = MySqlBackupRetentionCheck()


def test_the_example_seven_days_meet_the_default_minimum():
    assert judge(CHECK, server(), zone()).status == Status.PASS


def test_a_short_window_fails_mysql_allows_a_single_day():
    result = judge(CHECK, server(backupRetentionDays=1), zone())
    assert result.status == Status.FAIL
    assert result.evidence["observed"] == "backupRetentionDays: 1"
    assert result.requirement == "min_pitr_days=7 (backup-restore default)"


def test_a_replica_keeps_its_own_retention_and_is_judged():
    primary = server(role="Source", backupRetentionDays=14)
    short = replica(primary, backupRetentionDays=3)
    assert judge(CHECK, short, zone(), inventory(primary, short)).status == Status.FAIL


def test_no_minimum_is_not_applicable_and_missing_retention_is_unknown():
    assert judge(CHECK, server(), zone(requirements={"min_pitr_days": 0})).status == Status.NOT_APPLICABLE
    assert judge(CHECK, server(backupRetentionDays=None), zone()).status == Status.UNKNOWN
