"""Shared SQL helpers: which databases are judged, and how a database's replicas are found."""

from checks.sql._common import (
    LONG_TERM_RETENTION,
    geo_replicas,
    is_user_database,
    retention_policy,
    service_tier,
    zone_redundancy_capable,
)
from scanner.engine import evaluate
from scanner.model import Resource
from scanner.policy import Policy
from scanner.registry import discover
from tests.checks.sql.builders import database, failover_group, long_term_retention, master, replication_link
from tests.helpers import inventory, zone


def test_master_and_system_databases_are_skipped():
    assert is_user_database(Resource(database()))
    assert not is_user_database(Resource(master()))
    renamed_system = master()
    renamed_system["name"] = "msdb-like"
    assert not is_user_database(Resource(renamed_system))  # kind "v12.0,system"
    no_kind = master()
    del no_kind["kind"]
    assert not is_user_database(Resource(no_kind))  # still named master


def test_the_engine_never_judges_master_with_sql_checks():
    inv = inventory(database(), master())
    policy = Policy(zones=(), default_zone=zone("hot-spare", rpo="15m", rto="1h"))
    sql_checks = [c for c in discover(include_plugins=False) if c.id.startswith("SQL-")]
    scan = evaluate(inv, policy, sql_checks)
    judged = {o.resource.name for o in scan.outcomes}
    assert judged == {"testdb"}
    assert len(scan.outcomes) == len(sql_checks)


def test_geo_replicas_counts_failover_groups_and_links_in_other_regions_only():
    db = database()
    inv = inventory(db, failover_group(partner_location="Southeast Asia"),
                    replication_link(link_type="NAMED", partner_location="East Asia"))
    replicas = geo_replicas(inv, inv.get(db["id"]))
    assert replicas.copies == ()
    assert replicas.same_region and "same region" in replicas.same_region[0]
    inv = inventory(db, replication_link(role="Secondary", partner_location="East Asia"))
    assert geo_replicas(inv, inv.get(db["id"])).copies[0].endswith("eastasia")


def test_service_tier_and_zone_capability_follow_the_sku():
    assert service_tier(Resource(database())) == "BusinessCritical"
    standard = database()
    standard["sku"] = {"name": "Standard", "tier": "Standard", "capacity": 50}
    assert zone_redundancy_capable(Resource(standard)) is False
    unnamed_tier = database()
    unnamed_tier["sku"] = {"name": "GP_S_Gen5", "capacity": 2}
    del unnamed_tier["properties"]["currentSku"]
    assert service_tier(Resource(unnamed_tier)) == "GeneralPurpose"
    no_sku = database()
    del no_sku["sku"], no_sku["properties"]["currentSku"]
    assert zone_redundancy_capable(Resource(no_sku)) is None


def test_ltr_policy_is_found_under_the_examples_provider_scoped_id():
    db = database()
    inv = inventory(db, long_term_retention(provider_scoped=True))
    found = retention_policy(inv, inv.get(db["id"]), LONG_TERM_RETENTION)
    assert found is not None and found.prop("yearlyRetention") == "P5Y"
