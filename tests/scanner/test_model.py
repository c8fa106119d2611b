import re

from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.model import (
    Inventory,
    ReadGap,
    Resource,
    _placement,
    _subscription_and_group,
    parent_id_of,
    resource_group_of,
    subscription_of,
    type_from_id,
)
from tests.helpers import SUB, arm, arm_id

DB = arm_id("Microsoft.Sql/servers/databases", "sqlsrv/sales")


def test_ids_and_types_compare_case_insensitively():
    server = arm("Microsoft.Sql/servers", "sqlsrv")
    db = arm("Microsoft.Sql/servers/databases", "sqlsrv/sales")
    db["id"] = db["id"].upper().replace("/SUBSCRIPTIONS/", "/subscriptions/")
    db["type"] = "microsoft.sql/SERVERS/databases"
    inv = Inventory(resources=[Resource(server), Resource(db)])
    assert inv.get(server["id"].upper()) is not None
    assert [r.name for r in inv.children(server["id"].lower(), "Microsoft.Sql/servers/databases")] == ["sales"]
    assert [r.name for r in inv.of_type("MICROSOFT.SQL/SERVERS")] == ["sqlsrv"]


def test_parent_and_type_derive_from_the_id():
    assert parent_id_of(DB) == arm_id("Microsoft.Sql/servers", "sqlsrv")
    assert parent_id_of(arm_id("Microsoft.Sql/servers", "sqlsrv")) is None
    assert type_from_id(DB) == "Microsoft.Sql/servers/databases"
    assert Resource({"id": DB}).type == "Microsoft.Sql/servers/databases"


def test_gaps_cover_their_scope_and_data_only():
    sub_gap = ReadGap(f"/subscriptions/{SUB}", "*", "403")
    child_gap = ReadGap(arm_id("Microsoft.Sql/servers", "sqlsrv"), "Microsoft.Sql/servers/failoverGroups", "404")
    assert sub_gap.covers(DB, "anything")
    assert not sub_gap.covers(DB.replace(SUB, "other"), "anything")
    assert child_gap.covers(arm_id("Microsoft.Sql/servers", "sqlsrv"), "microsoft.sql/servers/FAILOVERGROUPS")
    assert not child_gap.covers(arm_id("Microsoft.Sql/servers", "sqlsrv2"), "Microsoft.Sql/servers/failoverGroups")
    assert not child_gap.covers(arm_id("Microsoft.Sql/servers", "sqlsrv"), "Microsoft.Sql/servers/databases")


def test_locks_cover_resource_its_parents_group_and_subscription():
    db = Resource(arm("Microsoft.Sql/servers/databases", "sqlsrv/sales"))
    locks = [
        {"id": f"/subscriptions/{SUB}/providers/Microsoft.Authorization/locks/sub",
         "properties": {"level": "ReadOnly"}},
        {"id": f"/subscriptions/{SUB}/resourceGroups/RG-DATA/providers/Microsoft.Authorization/locks/rg"},
        {"id": arm_id("Microsoft.Sql/servers", "sqlsrv") + "/providers/Microsoft.Authorization/locks/srv"},
        {"id": f"/subscriptions/{SUB}/resourceGroups/rg-other/providers/Microsoft.Authorization/locks/no"},
    ]
    names = sorted(lock["id"].rsplit("/", 1)[1] for lock in Inventory(locks=locks).locks_covering(db))
    assert names == ["rg", "srv", "sub"]


def test_region_metadata_prefers_live_locations_then_bundled_table():
    live = Inventory(locations=[{"name": "westeurope", "metadata": {"pairedRegion": [{"name": "northeurope"}]},
                                "availabilityZoneMappings": [{"logicalZone": "1"}]}])
    assert live.region("West Europe").paired_region == "northeurope"
    assert live.region("westeurope").source == "live"
    bundled = Inventory().region("polandcentral")
    assert bundled.source == "bundled" and bundled.paired_region is None and bundled.has_availability_zones
    assert Inventory().region("eastus2(stage)").paired_region == "centralus"
    assert Inventory().region("atlantis") is None


def test_facts_a_live_location_leaves_out_come_from_the_bundled_table():
    # A trimmed, hand-written locations list must not turn "not stated" into "no pair, no zones".
    trimmed = Inventory(locations=[{"name": "westeurope", "displayName": "West Europe"}])
    info = trimmed.region("westeurope")
    assert (info.paired_region, info.has_availability_zones) == ("northeurope", True)
    stated = Inventory(locations=[{"name": "westeurope", "metadata": {"pairedRegion": []}}])
    assert stated.region("westeurope").paired_region is None


def inventory_part(*resources, **fields) -> Inventory:
    return Inventory(resources=[Resource(r) for r in resources], **fields)


def test_merge_all_equals_merging_one_at_a_time_later_parts_winning():
    first = arm("Microsoft.KeyVault/vaults", "kv", properties={"v": 1})
    second = {**first, "properties": {"v": 2}}
    parts = [inventory_part(first, locks=[{"id": "/subscriptions/s/providers/Microsoft.Authorization/locks/a"}]),
             inventory_part(arm("Microsoft.KeyVault/vaults", "kv2")),
             inventory_part(second, locations=[{"name": "westeurope"}])]
    together, one_by_one = Inventory(), Inventory()
    together.merge_all(parts)
    for part in parts:
        one_by_one.merge(part)
    assert [r.raw for r in together.resources] == [r.raw for r in one_by_one.resources] == [second, parts[1]
                                                                                           .resources[0].raw]
    assert together.get(first["id"]).raw["properties"] == {"v": 2}
    assert together.locks == one_by_one.locks and together.locations == one_by_one.locations


def test_merging_keeps_items_without_a_key_and_dedupes_subscriptions_by_their_id():
    keyless = [{"name": "lock-without-id"}, {"properties": {"level": "ReadOnly"}}]
    subs_a = [{"subscriptionId": "AAA", "displayName": "old"}, {"displayName": "no id at all"}]
    subs_b = [{"id": "/subscriptions/aaa", "subscriptionId": "aaa", "displayName": "new"}]
    merged = Inventory()
    merged.merge_all([Inventory(locks=keyless, subscriptions=subs_a, locations=[{"displayName": "x"}]),
                      Inventory(locks=keyless[:1], subscriptions=subs_b, locations=[{"displayName": "y"}])])
    assert len(merged.locks) == 3  # nothing to dedupe them by: all kept, none dropped
    assert len(merged.locations) == 2
    assert sorted(s["displayName"] for s in merged.subscriptions) == ["new", "no id at all"]


def test_resource_group_tags_of_the_wrong_shape_are_ignored_not_fatal():
    inv = Inventory(resource_groups=[{"id": f"/subscriptions/{SUB}/resourceGroups/rg-data", "tags": ["a"]}])
    assert inv.resource_group_tags(Resource(arm("Microsoft.KeyVault/vaults", "kv"))) == {}


# What subscription_of and resource_group_of meant before they split ARM's own spelling without a regex.
SUBSCRIPTION = re.compile(r"^/subscriptions/([^/]+)", re.IGNORECASE)
RESOURCE_GROUP = re.compile(r"^/subscriptions/[^/]+/resourceGroups/([^/]+)", re.IGNORECASE)
SEGMENTS = st.sampled_from(["", "subscriptions", "Subscriptions", "SUBSCRIPTIONS", "\u017fubscriptions",
                            "resourceGroups", "resourcegroups", "RESOURCEGROUPS", "providers", "s", "S1", "rg-Sales",
                            "a b", "\u212a"])


@settings(max_examples=2000, deadline=None, database=None)
@given(segments=st.lists(SEGMENTS, max_size=7), prefix=st.sampled_from(["", "/", "/subscriptions/"]))
def test_subscription_and_resource_group_are_read_from_an_id_as_the_case_insensitive_patterns_read_them(
        segments, prefix):
    resource_id = prefix + "/".join(segments)
    subscription = SUBSCRIPTION.match(resource_id)
    group = RESOURCE_GROUP.match(resource_id)
    assert subscription_of(resource_id) == (subscription.group(1).lower() if subscription else None)
    assert resource_group_of(resource_id) == (group.group(1) if group else None)


# Segments an id is made of, as ARM spells them and as hostile or odd input does (case, empty, repeats).
_SEGMENTS = st.sampled_from(["", "subscriptions", "Subscriptions", "s1", "resourceGroups", "resourcegroups",
                             "RESOURCEGROUPS", "rg", "providers", "Providers", "Microsoft.Sql", "servers", "a",
                             "databases", "b", "extra"])


@settings(max_examples=3000, deadline=None, database=None)
@given(tail=st.lists(_SEGMENTS, max_size=12), arm_like=st.booleans())
def test_placement_is_subscription_group_and_parent_worked_out_apart(tail, arm_like):
    prefix = ["", "subscriptions", "s1", "resourceGroups", "rg", "providers"] if arm_like else []
    resource_id = "/".join(prefix + tail)
    expected = (*_subscription_and_group(resource_id), parent_id_of(resource_id))
    assert _placement(resource_id, resource_id.lower()) == expected
