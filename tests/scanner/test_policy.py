from datetime import timedelta
from pathlib import Path

import pytest

from scanner.errors import InputError
from scanner.model import Inventory, Resource
from scanner.policy import Strategy, load_policy, parse_duration, parse_policy
from tests.helpers import REPO, SUB, arm

SAMPLE_POLICY = REPO / "fixtures" / "policies" / "sample-policy.yaml"


@pytest.mark.parametrize(("text", "expected"), [
    ("15m", timedelta(minutes=15)), ("4h", timedelta(hours=4)), ("1d", timedelta(days=1)),
    ("1h30m", timedelta(minutes=90)), ("30s", timedelta(seconds=30)), ("1w", timedelta(days=7)),
    ("PT1H", timedelta(hours=1)), ("P1D", timedelta(days=1)), ("PT15M", timedelta(minutes=15)),
    ("0.5h", timedelta(minutes=30)), (" 2H ", timedelta(hours=2)),
])
def test_durations_parse(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["soon", "", "15", "15 minutes", "h", "P", "PT", "-1h", "1h later", True, None])
def test_bad_durations_are_rejected(text):
    with pytest.raises(ValueError, match="expected a duration"):
        parse_duration(text)


def zones(*specs, **top):
    return parse_policy({"zones": list(specs), **top}, "policy.yaml")


def spec(name, strategy="hot-spare", **fields):
    return {"name": name, "strategy": strategy, "rpo": "15m", "rto": "1h", **fields}


@pytest.mark.parametrize(("strategy", "geo", "zone_red", "failover", "writes"), [
    ("redeploy", "optional", "optional", "optional", "optional"),
    ("backup-restore", "required", "optional", "optional", "optional"),
    ("warm-spare", "required", "optional", "optional", "optional"),
    ("hot-spare", "required", "required", "required", "required"),
])
def test_strategy_defaults_match_the_documented_table(strategy, geo, zone_red, failover, writes):
    zone = zones(spec("z", strategy, match={"subscriptions": [SUB]})).zones[0]
    values = zone.requirements.values
    assert (values["geo_redundancy"], values["zone_redundancy"], values["automatic_failover"],
            values["multi_region_writes"]) == (geo, zone_red, failover, writes)
    assert values["min_soft_delete_days"] == 7 and values["min_pitr_days"] == 7


def test_overrides_replace_defaults_and_are_named_in_the_requirement_text():
    zone = zones(spec("z", "redeploy", match={"subscriptions": [SUB]},
                      requirements={"geo_redundancy": True, "min_soft_delete_days": 30})).zones[0]
    assert zone.requirements.required("geo_redundancy")
    assert zone.requirements.days("min_soft_delete_days") == 30
    assert zone.requirement("geo_redundancy") == "geo_redundancy=required (zone override)"
    assert zone.requirement("zone_redundancy") == "zone_redundancy=optional (redeploy default)"


def test_first_matching_zone_wins_and_all_selectors_must_match():
    policy = zones(
        spec("tagged", match={"subscriptions": [SUB.upper()], "tags": {"Tier": ["gold", "platinum"]}}),
        spec("by-group", "warm-spare", match={"resource_groups": ["rg-sales-*"]}),
        default_zone={"name": "rest", "strategy": "redeploy", "rpo": "1d", "rto": "1d"},
    )
    inv = Inventory()
    gold = Resource(arm("Microsoft.Storage/storageAccounts", "a", rg="rg-sales-raw", tags={"tier": "GOLD"}))
    silver = Resource(arm("Microsoft.Storage/storageAccounts", "b", rg="RG-Sales-Raw", tags={"tier": "silver"}))
    other = Resource(arm("Microsoft.Storage/storageAccounts", "c", rg="rg-other"))
    assert policy.zone_for(gold, inv).name == "tagged"
    assert policy.zone_for(silver, inv).name == "by-group"
    assert policy.zone_for(other, inv).name == "rest"
    assert policy.zone_for(other, inv).is_default


def test_resource_group_tags_count_as_the_resources_own():
    policy = zones(spec("lz", match={"tags": {"landing-zone": "*"}}))
    rg = {"id": f"/subscriptions/{SUB}/resourceGroups/rg-data", "name": "rg-data", "tags": {"landing-zone": "x"}}
    account = Resource(arm("Microsoft.Storage/storageAccounts", "a"))
    assert policy.zone_for(account, Inventory(resource_groups=[rg])).name == "lz"
    assert policy.zone_for(account, Inventory()).is_default


def test_parent_resource_tags_place_child_resources_and_the_nearer_scope_wins():
    policy = zones(spec("clinical", match={"tags": {"data-product": "clinical"}}),
                   spec("other", "redeploy", match={"tags": {"data-product": "*"}}))
    server = arm("Microsoft.Sql/servers", "sqlsrv", tags={"data-product": "clinical"})
    database = arm("Microsoft.Sql/servers/databases", "sqlsrv/trials")
    policy_doc = arm("Microsoft.Sql/servers/databases/backupShortTermRetentionPolicies", "sqlsrv/trials/default")
    relabelled = arm("Microsoft.Sql/servers/databases", "sqlsrv/archive", tags={"data-product": "archive"})
    inv = Inventory(resources=[Resource(d) for d in (server, database, policy_doc, relabelled)])
    assert policy.zone_for(inv.get(database["id"]), inv).name == "clinical"
    assert policy.zone_for(inv.get(policy_doc["id"]), inv).name == "clinical"
    assert policy.zone_for(inv.get(relabelled["id"]), inv).name == "other"


def test_sample_policy_loads():
    policy = load_policy(SAMPLE_POLICY)
    assert [z.strategy for z in policy.zones][:2] == [Strategy.WARM_SPARE, Strategy.HOT_SPARE]
    sales = policy.zones[1]
    assert (sales.rpo, sales.rto) == (timedelta(minutes=15), timedelta(hours=1))


@pytest.mark.parametrize(("document", "field", "expected"), [
    ({"zones": [{"name": "a", "strategy": "cold-spare", "rpo": "1h", "rto": "1h", "match": {"subscriptions": ["s"]}}]},
     "zones[0].strategy", "expected one of redeploy, backup-restore, warm-spare, hot-spare"),
    ({"zones": [{"name": "a", "strategy": "redeploy", "rpo": "soon", "rto": "1h", "match": {"subscriptions": ["s"]}}]},
     "zones[0].rpo", "expected a duration"),
    ({"zones": [{"name": "a", "strategy": "redeploy", "rto": "1h", "match": {"subscriptions": ["s"]}}]},
     "zones[0].rpo", "missing"),
    ({"zones": [{"name": "a", "strategy": "redeploy", "rpo": "1h", "rto": "1h"}]},
     "zones[0].match", "expected at least one of"),
    ({"zones": [{"name": "a", "strategy": "redeploy", "rpo": "1h", "rto": "1h", "match": {"subscriptions": ["s"]},
                 "requirements": {"geo_redundancy": "maybe"}}]},
     "zones[0].requirements.geo_redundancy", "expected 'required' or 'optional'"),
    ({"zones": [{"name": "a", "strategy": "redeploy", "rpo": "1h", "rto": "1h", "match": {"subscriptions": ["s"]},
                 "requirements": {"geo_redundnacy": "required"}}]},
     "zones[0].requirements.geo_redundnacy", "unknown field"),
    ({"zones": [{"name": "a", "strategy": "redeploy", "rpo": "1h", "rto": "1h", "match": {"subscriptions": ["s"]},
                 "requirements": {"min_soft_delete_days": "seven"}}]},
     "zones[0].requirements.min_soft_delete_days", "whole number of days"),
    ({"zones": "all"}, "zones", "expected a list"),
    ({"version": 2, "zones": []}, "version", "expected 1"),
    ({"zones": [], "require_classification": "yes"}, "require_classification", "true or false"),
])
def test_invalid_policy_names_file_field_and_expectation(document, field, expected):
    with pytest.raises(InputError) as caught:
        parse_policy(document, "lz.yaml")
    assert caught.value.source == "lz.yaml"
    assert caught.value.field == field
    assert expected in caught.value.message


def test_unparseable_yaml_names_the_line(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("zones:\n  - name: a\n    strategy: [unclosed\n")
    with pytest.raises(InputError) as caught:
        load_policy(bad)
    assert caught.value.source == str(bad) and caught.value.field.startswith("line ")
