from checks.sql.zone_redundancy import SqlZoneRedundancyCheck
from scanner.check import Severity, Status
from tests.checks.sql.builders import database, master
from tests.helpers import inventory, judge, zone

CHECK = SqlZoneRedundancyCheck()
HOT = zone("hot-spare", rpo="15m", rto="1h")


def test_zone_redundant_database_passes():
    assert judge(CHECK, database(zoneRedundant=True), HOT).status == Status.PASS


def test_capable_tier_without_zone_redundancy_fails_with_a_setting_fix():
    result = judge(CHECK, database(), HOT)  # the example: Business Critical, zoneRedundant false
    assert result.status == Status.FAIL
    assert result.severity == Severity.MEDIUM
    assert result.evidence["observed"] == "zoneRedundant: false"
    assert result.evidence["sku_supports_zone_redundancy"] is True
    assert result.evidence["service_tier"] == "BusinessCritical"
    assert result.requirement == "zone_redundancy=required (hot-spare default)"


def test_standard_dtu_database_fails_saying_the_tier_must_change():
    db = database()
    db["sku"] = {"name": "Standard", "tier": "Standard", "capacity": 50}
    db["properties"]["currentSku"] = dict(db["sku"])
    db["kind"] = "v12.0,user"
    result = judge(CHECK, db, HOT)
    assert result.status == Status.FAIL
    assert result.evidence["sku_supports_zone_redundancy"] is False
    assert "change the tier" in result.evidence["note"]


def test_not_applicable_in_a_region_without_availability_zones_and_unknown_in_an_unknown_region():
    db = database()
    db["location"] = "germanynorth"
    result = judge(CHECK, db, HOT)
    assert result.status == Status.NOT_APPLICABLE
    assert "region germanynorth has no availability zones" in result.message
    db["location"] = "contosocentral"
    assert judge(CHECK, db, HOT).status == Status.UNKNOWN
    assert judge(CHECK, database(), HOT).evidence["region_has_availability_zones"] is True


def test_pooled_database_points_at_its_pool():
    pool = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Sql/servers/testsvr/elasticPools/pool-sales"
    result = judge(CHECK, database(elasticPoolId=pool), HOT)
    assert "elastic pool pool-sales" in result.evidence["note"]


def test_not_applicable_where_zone_redundancy_is_optional():
    assert judge(CHECK, database(), zone("warm-spare")).status == Status.NOT_APPLICABLE
    overridden = zone("warm-spare", requirements={"zone_redundancy": "required"})
    assert judge(CHECK, database(), overridden).status == Status.FAIL
    assert not CHECK.applies_to(inventory(master()).resources[0])


def test_missing_zone_redundant_flag_is_unknown():
    assert judge(CHECK, database(zoneRedundant=None), HOT).status == Status.UNKNOWN
    assert judge(CHECK, database(zoneRedundant="false"), HOT).status == Status.UNKNOWN


def test_older_api_fields_name_the_tier_and_appear_in_the_evidence():
    # API 2014-04-01 (what Azure PowerShell exports still carry): no sku, the tier is the edition.
    db = database(edition="Standard", requestedServiceObjectiveName="S2", currentServiceObjectiveName="S2",
                  currentSku=None, zoneRedundant=False)
    del db["sku"]
    result = judge(CHECK, db, HOT)
    assert result.status == Status.FAIL
    assert (result.evidence["edition"], result.evidence["requestedServiceObjectiveName"],
            result.evidence["currentServiceObjectiveName"]) == ("Standard", "S2", "S2")
    assert result.evidence["service_tier"] == "Standard"
    assert result.evidence["sku_supports_zone_redundancy"] is False
    assert "change the tier" in result.evidence["note"]
    # Documents of the current API carry none of them, and the evidence adds nothing.
    assert "edition" not in judge(CHECK, database(), HOT).evidence
