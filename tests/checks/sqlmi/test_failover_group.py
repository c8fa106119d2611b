from checks.sqlmi.failover_group import ManagedInstanceFailoverGroupCheck
from scanner.check import Severity, Status
from scanner.model import ReadGap
from tests.checks.sqlmi.builders import failover_group, instance
from tests.helpers import SUB, inventory, judge, zone

CHECK = ManagedInstanceFailoverGroupCheck()
WARM = zone("warm-spare")


def test_the_primary_of_a_group_with_a_partner_in_another_region_passes():
    primary, secondary = instance(), instance("sqlmi-sales-neu", "northeurope", rg="rg-data-dr")
    result = judge(CHECK, primary, WARM, inventory(primary, secondary, failover_group(primary, secondary)))
    assert result.status == Status.PASS
    assert result.evidence["observed"] == ["failover group fog-sales with sqlmi-sales-neu in northeurope"]


def test_the_partner_region_comes_from_the_group_when_the_partner_was_not_scanned():
    primary = instance()
    group = failover_group(primary, "/subscriptions/x/resourceGroups/dr/providers/Microsoft.Sql/managedInstances/far")
    assert judge(CHECK, primary, WARM, inventory(primary, group)).status == Status.PASS


def test_no_group_or_a_same_region_group_fails():
    result = judge(CHECK, instance(), zone("hot-spare", rpo="15m", rto="1h"))
    assert result.status == Status.FAIL
    assert result.severity == Severity.HIGH
    assert result.evidence["observed"] == "no instance failover group"
    primary, neighbour = instance(), instance("sqlmi-sales-weu2", "westeurope")
    group = failover_group(primary, neighbour, partner_location="West Europe")
    same = judge(CHECK, primary, WARM, inventory(primary, neighbour, group))
    assert same.status == Status.FAIL
    assert "in westeurope" in same.evidence["observed"]


def test_the_geo_secondary_is_not_applicable_from_either_side_of_the_group():
    primary, secondary = instance(), instance("sqlmi-sales-neu", "northeurope")
    listed_by_primary = failover_group(primary, secondary)
    result = judge(CHECK, secondary, WARM, inventory(primary, secondary, listed_by_primary))
    assert result.status == Status.NOT_APPLICABLE
    assert "geo-secondary of sqlmi-sales-weu" in result.message
    listed_by_secondary = failover_group(secondary, primary, partner_location="West Europe", role="Secondary")
    assert judge(CHECK, secondary, WARM, inventory(primary, secondary, listed_by_secondary)).status \
        == Status.NOT_APPLICABLE


def test_backup_restore_and_redeploy_zones_are_not_applicable():
    for strategy in ("redeploy", "backup-restore"):
        assert judge(CHECK, instance(), zone(strategy)).status == Status.NOT_APPLICABLE


def test_unread_failover_groups_are_unknown():
    gap = ReadGap(f"/subscriptions/{SUB}", "Microsoft.Sql/locations/instanceFailoverGroups", "HTTP 500", 500)
    primary = instance()
    result = judge(CHECK, primary, WARM, inventory(primary, gaps=[gap]))
    assert result.status == Status.UNKNOWN
    assert result.gap == gap


def test_a_group_whose_partner_region_is_recorded_nowhere_is_unknown():
    primary = instance()
    group = failover_group(primary, "/subscriptions/x/resourceGroups/dr/providers/Microsoft.Sql/managedInstances/far",
                           partner_location=None)
    result = judge(CHECK, primary, WARM, inventory(primary, group))
    assert result.status == Status.UNKNOWN
    assert "partner region of failover group fog-sales with far" in result.evidence["missing"]
