from checks.general.standby_region import AnalyticsStandbyRegionCheck
from scanner.check import Severity, Status
from scanner.model import ReadGap
from tests.checks.dataexplorer.builders import cluster, follows
from tests.checks.general.estate import OTHER_SUB, PRIMARY_SUB, policy, verdict, zone_spec
from tests.helpers import example_body, inventory

CHECK = AnalyticsStandbyRegionCheck()
REGIONS = {"primary_region": "westeurope", "secondary_region": "northeurope"}


def databricks(name: str, location: str, sub: str = PRIMARY_SUB, rg: str = "rg-sales-ingest") -> dict:
    """myWorkspace1 of Microsoft's WorkspacesListBySubscription example (tags: null), re-homed."""
    body = example_body("databricks/WorkspacesListBySubscription.json")["value"][0]
    body["id"] = f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Databricks/workspaces/{name}"
    body["name"], body["location"] = name, location
    return body


def factory(name: str, location: str) -> dict:
    body = example_body("datafactory/Factories_List.json")["value"][4]
    body["id"] = f"/subscriptions/{PRIMARY_SUB}/resourceGroups/rg-sales-ingest/providers/Microsoft.DataFactory/" \
                 f"factories/{name}"
    body["name"], body["location"] = name, location
    return body


def test_standby_in_the_secondary_region_of_the_same_zone_passes():
    primary, standby = databricks("dbw-sales-weu", "West Europe"), databricks("dbw-sales-neu", "North Europe")
    result = verdict(CHECK, primary, policy(zone_spec("sales", "hot-spare", **REGIONS)), inventory(primary, standby))
    assert result.status == Status.PASS
    assert result.evidence["observed"] == [standby["id"]]


def test_no_standby_fails_high_in_hot_spare_and_medium_in_warm_spare():
    primary = databricks("dbw-sales-weu", "westeurope")
    # A factory in the secondary region is not a standby for a Databricks workspace.
    inv = inventory(primary, factory("adf-sales-neu", "northeurope"))
    hot = verdict(CHECK, primary, policy(zone_spec("sales", "hot-spare", **REGIONS)), inv)
    assert hot.status == Status.FAIL
    assert hot.severity == Severity.HIGH
    assert "Databricks workspace" in hot.message
    warm = verdict(CHECK, primary, policy(zone_spec("sales", "warm-spare", **REGIONS)), inv)
    assert warm.status == Status.FAIL
    assert warm.severity == Severity.MEDIUM


def test_workspace_in_the_secondary_region_of_another_zone_is_no_standby():
    primary = databricks("dbw-sales-weu", "westeurope")
    foreign = databricks("dbw-research-neu", "northeurope", sub=OTHER_SUB, rg="rg-research")
    zones = policy(zone_spec("sales", "hot-spare", **REGIONS), zone_spec("research", "hot-spare", OTHER_SUB, **REGIONS))
    assert verdict(CHECK, primary, zones, inventory(primary, foreign)).status == Status.FAIL


def test_not_applicable_to_weaker_strategies_the_standby_itself_and_other_regions():
    primary, standby = factory("adf-sales-weu", "westeurope"), factory("adf-sales-neu", "northeurope")
    elsewhere = factory("adf-sales-frc", "francecentral")
    inv = inventory(primary, standby, elsewhere)
    for strategy in ("redeploy", "backup-restore"):
        result = verdict(CHECK, primary, policy(zone_spec("sales", strategy, **REGIONS)), inv)
        assert result.status == Status.NOT_APPLICABLE
    hot = policy(zone_spec("sales", "hot-spare", **REGIONS))
    assert verdict(CHECK, standby, hot, inv).status == Status.NOT_APPLICABLE
    assert verdict(CHECK, elsewhere, hot, inv).status == Status.NOT_APPLICABLE


def test_zone_without_a_secondary_region_is_unknown():
    primary = databricks("dbw-sales-weu", "westeurope")
    result = verdict(CHECK, primary, policy(zone_spec("sales", "warm-spare", primary_region="westeurope")),
                     inventory(primary))
    assert result.status == Status.UNKNOWN
    assert "secondary_region" in result.evidence["missing"]


def test_unread_workspaces_of_the_zone_are_unknown_but_other_zones_gaps_are_not():
    primary = databricks("dbw-sales-weu", "westeurope")
    zones = policy(zone_spec("sales", "hot-spare", **REGIONS))
    gap = ReadGap(f"/subscriptions/{PRIMARY_SUB}", "Microsoft.Databricks/workspaces", "throttled", 429)
    result = verdict(CHECK, primary, zones, inventory(primary, gaps=[gap]))
    assert result.status == Status.UNKNOWN
    assert result.gap == gap
    elsewhere = ReadGap(f"/subscriptions/{OTHER_SUB}", "*", "AuthorizationFailed", 403)
    assert verdict(CHECK, primary, zones, inventory(primary, gaps=[elsewhere])).status == Status.FAIL


def purview(name: str, location: str) -> dict:
    """account1 of Microsoft's Accounts_ListBySubscription example, re-homed."""
    body = example_body("purview/Accounts_ListBySubscription.json")["value"][0]
    body["id"] = f"/subscriptions/{PRIMARY_SUB}/resourceGroups/rg-dmlz-governance/providers/Microsoft.Purview/" \
                 f"accounts/{name}"
    body["name"], body["location"] = name, location
    return body


def test_a_purview_account_needs_a_second_account_in_the_secondary_region():
    primary, standby = purview("pview-weu", "West Europe"), purview("pview-neu", "North Europe")
    zones = policy(zone_spec("dmlz", "warm-spare", **REGIONS))
    alone = verdict(CHECK, primary, zones, inventory(primary))
    assert alone.status == Status.FAIL
    assert alone.severity == Severity.MEDIUM
    assert "Microsoft Purview account" in alone.message
    assert "quota increase" in alone.evidence["note"] and "quota increase" in CHECK.remediation.summary
    assert verdict(CHECK, primary, zones, inventory(primary, standby)).status == Status.PASS


def test_a_data_explorer_cluster_following_the_primary_is_no_standby():
    primary = cluster("adx-sales-weu", "westeurope", sub=PRIMARY_SUB)
    follower = cluster("adx-sales-neu", "northeurope", sub=PRIMARY_SUB)
    zones = policy(zone_spec("sales", "hot-spare", **REGIONS))
    reads_the_primary = inventory(primary, follower, follows(follower, primary))
    result = verdict(CHECK, primary, zones, reads_the_primary)
    assert result.status == Status.FAIL
    assert "Data Explorer cluster" in result.message and "follower" in result.evidence["note"]
    assert verdict(CHECK, primary, zones, inventory(primary, follower)).status == Status.PASS
