import re
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from scanner.errors import InputError
from scanner.model import Inventory, Resource
from scanner.policy import MAX_DURATION, Strategy, load_policy, parse_duration, parse_policy
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


@pytest.mark.parametrize("text", ["soon", "", "15", "15 minutes", "h", "P", "PT", "-1h", "1h later", True, None,
                                  "9" * 5000 + "h", 1.5])
def test_bad_durations_are_rejected(text):
    with pytest.raises(ValueError, match="expected a duration"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["99999999999d", "99999999999999999999d", "P99999999999D", "PT99999999999999H",
                                  "36526d", "5300w"])
def test_durations_beyond_a_century_are_rejected_not_overflowed(text):
    with pytest.raises(ValueError, match=r"at most 100 years \(36525d\)"):
        parse_duration(text)


def test_a_century_is_the_longest_duration():
    assert parse_duration("36525d") == MAX_DURATION == parse_duration("P36525D")


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
    ({"zones": [{"name": "a", "strategy": "cold-spare", "rpo": "1h", "rto": "1h", "match": {"subscriptions": [SUB]}}]},
     "zones[0].strategy", "expected one of redeploy, backup-restore, warm-spare, hot-spare"),
    ({"zones": [{"name": "a", "strategy": "redeploy", "rpo": "soon", "rto": "1h", "match": {"subscriptions": [SUB]}}]},
     "zones[0].rpo", "expected a duration"),
    ({"zones": [{"name": "a", "strategy": "redeploy", "rto": "1h", "match": {"subscriptions": [SUB]}}]},
     "zones[0].rpo", "missing"),
    ({"zones": [{"name": "a", "strategy": "redeploy", "rpo": "1h", "rto": "1h"}]},
     "zones[0].match", "expected at least one of"),
    ({"zones": [{"name": "a", "strategy": "redeploy", "rpo": "1h", "rto": "1h", "match": {"subscriptions": [SUB]},
                 "requirements": {"geo_redundancy": "maybe"}}]},
     "zones[0].requirements.geo_redundancy", "expected 'required' or 'optional'"),
    ({"zones": [{"name": "a", "strategy": "redeploy", "rpo": "1h", "rto": "1h", "match": {"subscriptions": [SUB]},
                 "requirements": {"geo_redundnacy": "required"}}]},
     "zones[0].requirements.geo_redundnacy", "unknown field"),
    ({"zones": [{"name": "a", "strategy": "redeploy", "rpo": "1h", "rto": "1h", "match": {"subscriptions": [SUB]},
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


@pytest.mark.parametrize(("key", "value", "accepted"), [
    ("min_soft_delete_days", 100000, "1 to 365"), ("min_soft_delete_days", 366, "1 to 365"),
    ("min_soft_delete_days", -1, "1 to 365"), ("min_pitr_days", 36, "1 to 35"), ("min_pitr_days", 400, "1 to 35"),
    ("min_pitr_days", 7.5, "1 to 35"), ("min_pitr_days", True, "1 to 35"),
])
def test_day_requirements_outside_every_services_documented_range_are_refused(key, value, accepted):
    with pytest.raises(InputError) as caught:
        zones(spec("dlz-sales", "redeploy", match={"subscriptions": [SUB]}, requirements={key: value}))
    assert caught.value.field == f"zones[0].requirements.{key}"
    assert "zone 'dlz-sales'" in caught.value.message and accepted in caught.value.message
    assert "Key Vault 7-90" in caught.value.message or "PostgreSQL flexible server 7-35" in caught.value.message


@pytest.mark.parametrize(("key", "value"), [
    ("min_soft_delete_days", 0), ("min_soft_delete_days", 1), ("min_soft_delete_days", 365),
    ("min_pitr_days", 0), ("min_pitr_days", 1), ("min_pitr_days", 35),
])
def test_day_requirements_within_the_union_of_the_documented_ranges_are_accepted(key, value):
    zone = zones(spec("z", "redeploy", match={"subscriptions": [SUB]}, requirements={key: value})).zones[0]
    assert zone.requirements.days(key) == value


def test_unparseable_yaml_names_the_line(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("zones:\n  - name: a\n    strategy: [unclosed\n")
    with pytest.raises(InputError) as caught:
        load_policy(bad)
    assert caught.value.source == str(bad) and caught.value.field.startswith("line ")


def write(tmp_path: Path, text: str, name: str = "lz.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), "utf-8")
    return path


def refused(document, field=None):
    with pytest.raises(InputError) as caught:
        parse_policy(document, "lz.yaml")
    if field:
        assert caught.value.field == field, caught.value
    return caught.value


@pytest.mark.parametrize(("given", "stored"), [("westeurope", "westeurope"), ("West Europe", "westeurope"),
                                               ("NorthEurope", "northeurope"), ("usgovvirginia", "usgovvirginia")])
def test_regions_are_names_of_the_bundled_table_in_any_spelling_azure_uses(given, stored):
    zone = zones(spec("z", primary_region=given, match={"subscriptions": [SUB]})).zones[0]
    assert zone.primary_region == stored


def test_an_unknown_region_is_refused_with_the_closest_known_name():
    error = refused({"zones": [spec("z", primary_region="westeuropa", match={"subscriptions": [SUB]})]},
                    "zones[0].primary_region")
    assert "unknown region 'westeuropa'; did you mean westeurope?" in error.message
    error = refused({"zones": [spec("z", secondary_region="atlantis", match={"subscriptions": [SUB]})]},
                    "zones[0].secondary_region")
    assert "unknown region 'atlantis'" in error.message
    refused({"zones": [spec("z", primary_region=5, match={"subscriptions": [SUB]})]}, "zones[0].primary_region")


def test_the_secondary_region_must_differ_from_the_primary():
    error = refused({"zones": [spec("z", primary_region="westeurope", secondary_region="West Europe",
                                    match={"subscriptions": [SUB]})]}, "zones[0].secondary_region")
    assert "primary region westeurope too" in error.message


@pytest.mark.parametrize("subscription", ["not-a-guid", "6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e0", "1234"])
def test_subscriptions_must_be_guids(subscription):
    error = refused({"zones": [spec("z", match={"subscriptions": [SUB, subscription]})]},
                    "zones[0].match.subscriptions[1]")
    assert "expected a subscription id (a GUID)" in error.message


PARTNER = (f"/subscriptions/{SUB}/resourceGroups/rg-dr/providers/Microsoft.Storage/storageAccounts/stneu")


@pytest.mark.parametrize("partner", ["banana", "/subscriptions/.../storageAccounts/stsalesrawneu",
                                     f"/subscriptions/{SUB}/resourceGroups/rg-dr", 42,
                                     f"/subscriptions/{SUB}/resourceGroups/rg-dr/providers/Microsoft.Storage/x"])
def test_partners_must_be_full_resource_ids(partner):
    error = refused({"zones": [spec("z", match={"subscriptions": [SUB]}, partners={"stweu": partner})]},
                    "zones[0].partners.stweu")
    assert "expected the partner's full resource id" in error.message


def test_partner_keys_are_names_or_full_resource_ids():
    accepted = zones(spec("z", match={"subscriptions": [SUB]}, partners={"StWeu": PARTNER, PARTNER: PARTNER}))
    assert accepted.zones[0].partners == {"stweu": PARTNER, PARTNER.lower(): PARTNER}
    refused({"zones": [spec("z", match={"subscriptions": [SUB]}, partners={"/subscriptions/x": PARTNER})]},
            "zones[0].partners")


@pytest.mark.parametrize(("names", "field"), [(["a", "b", "a"], "zones[2].name"), (["a", "A"], "zones[1].name")])
def test_zone_names_are_unique_case_insensitively(names, field):
    error = refused({"zones": [spec(n, match={"subscriptions": [SUB]}) for n in names]}, field)
    assert "already used by zones[0]" in error.message


def test_a_zone_may_not_take_the_default_zones_name():
    refused({"zones": [spec("rest", match={"subscriptions": [SUB]})],
             "default_zone": {"name": "rest", "strategy": "redeploy", "rpo": "1d", "rto": "1d"}}, "default_zone.name")


def test_version_must_be_the_integer_one():
    refused({"version": True, "zones": []}, "version")
    refused({"version": "1", "zones": []}, "version")


@pytest.mark.parametrize("strategy", ["warm-spare", "hot-spare"])
def test_a_policy_file_must_name_the_secondary_region_of_a_spare_zone(tmp_path, strategy):
    path = write(tmp_path, f"""\
        zones:
          - name: dlz-a
            strategy: redeploy
            rpo: 1d
            rto: 1d
            match: {{subscriptions: [{SUB}]}}
          - name: dlz-sales
            strategy: {strategy}
            rpo: 15m
            rto: 1h
            primary_region: westeurope
            match: {{subscriptions: [{SUB}]}}
        """)
    with pytest.raises(InputError) as caught:
        load_policy(path)
    assert caught.value.field == "zones[1].secondary_region"
    assert f"zone 'dlz-sales' is {strategy}" in caught.value.message


def test_a_spare_default_zone_needs_a_secondary_region_too(tmp_path):
    path = write(tmp_path, "default_zone: {name: rest, strategy: warm-spare, rpo: 4h, rto: 8h}\n")
    with pytest.raises(InputError, match=r"default_zone\.secondary_region: missing"):
        load_policy(path)


def test_tag_selectors_compare_the_text_written_whatever_yaml_would_type_it(tmp_path):
    path = write(tmp_path, """\
        zones:
          - name: typed
            strategy: redeploy
            rpo: 1d
            rto: 1d
            match:
              tags: {critical: true, cost-center: 1234, created: 2027-02-30, octal: 0o17, flag: [yes, off]}
        """)
    policy = load_policy(path)
    assert dict(policy.zones[0].match.tags) == {"critical": ("true",), "cost-center": ("1234",),
                                                "created": ("2027-02-30",), "octal": ("0o17",),
                                                "flag": ("yes", "off")}
    tags = {"critical": "True", "cost-center": "1234", "created": "2027-02-30", "octal": "0o17", "flag": "yes"}
    tagged = Resource(arm("Microsoft.Storage/storageAccounts", "a", tags=tags))
    assert policy.zone_for(tagged, Inventory()).name == "typed"
    retyped = Resource(arm("Microsoft.Storage/storageAccounts", "b", tags={**tags, "octal": "15"}))
    assert policy.zone_for(retyped, Inventory()).is_default


def test_tag_names_are_the_text_written_too(tmp_path):
    # A tag named `null`, `~`, `true` or `1234` is that name, not None or "none" matching nothing.
    path = write(tmp_path, """\
        zones:
          - name: named
            strategy: redeploy
            rpo: 1d
            rto: 1d
            match:
              tags: {null: a, ~: b, true: c, 1234: d}
        """)
    policy = load_policy(path)
    assert dict(policy.zones[0].match.tags) == {"null": ("a",), "~": ("b",), "true": ("c",), "1234": ("d",)}
    tagged = Resource(arm("Microsoft.Storage/storageAccounts", "a", tags={"null": "a", "~": "b", "True": "c",
                                                                          "1234": "d"}))
    assert policy.zone_for(tagged, Inventory()).name == "named"


def test_an_empty_tag_name_is_refused(tmp_path):
    path = write(tmp_path, 'zones:\n  - {name: a, strategy: redeploy, rpo: 1d, rto: 1d, match: {tags: {"": x}}}\n')
    with pytest.raises(InputError, match=r"zones\[0\].match.tags: expected tag names, got ''"):
        load_policy(path)


def test_a_tag_selector_without_a_value_is_refused(tmp_path):
    path = write(tmp_path, "zones:\n  - {name: a, strategy: redeploy, rpo: 1d, rto: 1d, match: {tags: {env: }}}\n")
    with pytest.raises(InputError, match=r"zones\[0\].match.tags.env: expected a tag value"):
        load_policy(path)


def test_a_duplicate_key_is_refused_with_its_line(tmp_path):
    path = write(tmp_path, f"""\
        zones:
          - name: a
            strategy: redeploy
            rpo: 1d
            rto: 1d
            match: {{subscriptions: [{SUB}]}}
            rpo: 7d
        """)
    with pytest.raises(InputError) as caught:
        load_policy(path)
    assert caught.value.field == "line 7"
    assert caught.value.message == "duplicate key 'rpo' (first given on line 4)"


def test_the_readmes_policy_example_is_a_valid_policy(tmp_path):
    readme = (REPO / "README.md").read_text("utf-8")
    section = readme[readme.index("## Landing-zone policy"):]
    example = re.search(r"```yaml\n(.*?)```", section, re.DOTALL).group(1)
    policy = load_policy(write(tmp_path, example))
    sales = policy.zones[0]
    assert sales.partners and all(p.startswith("/subscriptions/") for p in sales.partners.values())
    assert (sales.primary_region, sales.secondary_region) == ("westeurope", "northeurope")
