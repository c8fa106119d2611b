from checks.postgresql.backup_retention import PostgreSqlBackupRetentionCheck
from scanner.check import Severity, Status
from tests.checks.postgresql.builders import replica, server
from tests.helpers import inventory, judge, zone

CHECK = PostgreSqlBackupRetentionCheck()


def test_retention_at_or_above_the_minimum_passes():
    assert judge(CHECK, server(), zone()).status == Status.PASS  # the example keeps 7 days
    assert judge(CHECK, server(backupRetentionDays=35), zone(requirements={"min_pitr_days": 14})).status \
        == Status.PASS


def test_retention_below_the_zone_minimum_fails():
    result = judge(CHECK, server(), zone("warm-spare", requirements={"min_pitr_days": 14}))
    assert result.status == Status.FAIL
    assert result.severity == Severity.LOW
    assert result.evidence["observed"] == "backupRetentionDays: 7"
    assert result.requirement == "min_pitr_days=14 (zone override)"


def test_not_applicable_to_replicas_and_zones_without_a_minimum():
    primary = server()
    assert judge(CHECK, replica(primary), zone(requirements={"min_pitr_days": 14}),
                 inventory(primary, replica(primary))).status == Status.NOT_APPLICABLE
    assert judge(CHECK, server(), zone(requirements={"min_pitr_days": 0})).status == Status.NOT_APPLICABLE


def test_missing_or_malformed_retention_is_unknown():
    assert judge(CHECK, server(backupRetentionDays=None), zone()).status == Status.UNKNOWN
    assert judge(CHECK, server(backupRetentionDays="7"), zone()).status == Status.UNKNOWN
