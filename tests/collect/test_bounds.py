"""Every bound of a live read, against a hostile or broken ARM (the emulator's hostile faults),
through the real SDK clients and the generic ARM path: each ends in a read gap with its reason,
never a hang, never "nothing there"."""

from __future__ import annotations

import re
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from scanner.collect.bounds import Limits
from scanner.collect.collector import CollectionError, Scope
from scanner.collect.collectors import KEY_VAULT
from scanner.collect.pipeline import is_collection
from scanner.model import Inventory
from scanner.snapshot import load_snapshot, save_snapshot
from tests.collect.conftest import collect, collector
from tests.emulator import Emulator, Fault, ManagementGroup
from tests.emulator.server import _gzip_zeros

SUB1 = "6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e01"
VAULTS = "Microsoft.KeyVault/vaults"  # listed through azure-mgmt-keyvault's pager
FACTORIES = "Microsoft.DataFactory/factories"  # listed through the generic ARM path
LISTS = {VAULTS: r"/providers/microsoft\.keyvault/vaults\?",
         FACTORIES: r"/providers/microsoft\.datafactory/factories\?"}


def first_page(resource_type: str, sub: str = SUB1) -> str:
    return f"^/subscriptions/{sub}" + LISTS[resource_type] + "(?!.*skiptoken)"


def served(arm: Emulator, resource_type: str, sub: str | None = None) -> set[str]:
    return {d["id"].lower() for d in arm.estate.resources if d["type"] == resource_type
            and (sub is None or d["id"].split("/")[2] == sub)}


def kept(inventory: Inventory, resource_type: str) -> set[str]:
    return {r.key for r in inventory.resources if r.type == resource_type}


def gaps(inventory: Inventory) -> list[tuple[str, str, str]]:
    return [(g.scope, g.data, g.error) for g in inventory.gaps]


def list_calls(arm: Emulator, resource_type: str, sub: str = SUB1) -> list[Any]:
    return [r for r in arm.requests if r.path.lower() == f"/subscriptions/{sub}/providers/{resource_type.lower()}"]


# --- shape before trust -----------------------------------------------------------------------
@pytest.mark.parametrize("resource_type", [VAULTS, FACTORIES])
@pytest.mark.parametrize("body", [{}, {"value": None}, {"value": {"id": "x"}}, [], {"value": [], "nextLink": 7}],
                         ids=["{}", "value null", "value object", "array", "nextLink number"])
def test_a_list_answer_that_is_not_a_list_page_is_a_gap_never_an_empty_list(arm: Emulator, resource_type: str,
                                                                          body: Any) -> None:
    arm.add_fault(Fault(first_page(resource_type), 200, times=None, body=body))
    inventory = collect(arm)
    assert [(g.scope, g.data) for g in inventory.gaps] == [(f"/subscriptions/{SUB1}", resource_type)]
    assert "malformed payload: a list response" in inventory.gaps[0].error
    assert kept(inventory, resource_type) == served(arm, resource_type) - served(arm, resource_type, SUB1)


@pytest.mark.parametrize(("pattern", "data"), [
    (f"^/subscriptions/{SUB1}/providers/microsoft\\.documentdb/databaseaccounts\\?",
     "Microsoft.DocumentDB/databaseAccounts"),
    (f"^/subscriptions/{SUB1}/resourcegroups\\?", "*"),
    (f"^/subscriptions/{SUB1}/providers/microsoft\\.authorization/locks\\?", "Microsoft.Authorization/locks"),
    (f"^/subscriptions/{SUB1}/locations\\?", "locations"),
    (r"/providers/microsoft\.sql/servers/[^/]+/databases\?", "Microsoft.Sql/servers/databases"),
], ids=["cosmos db", "resource groups", "locks", "locations", "sql databases"])
def test_every_list_the_collector_makes_refuses_an_empty_object(arm: Emulator, pattern: str, data: str) -> None:
    arm.add_fault(Fault(pattern, 200, times=None, body={}))
    inventory = collect(arm)
    assert inventory.gaps and all("without a 'value' array" in g.error and g.data == data for g in inventory.gaps)
    if data == "Microsoft.Sql/servers/databases":  # every server's list
        servers = {r.id for r in inventory.resources if r.type == "Microsoft.Sql/servers"}
        assert {g.scope for g in inventory.gaps} == servers
        assert not [r for r in inventory.resources if r.type == data]
    else:
        assert [g.scope for g in inventory.gaps] == [f"/subscriptions/{SUB1}"]


def list_levels(arm: Emulator, inventory: Inventory) -> tuple[dict[int, dict[str, str]], dict[str, int]]:
    """Every list path a clean collection read, by how deep it hangs below a subscription (1: the
    subscription's own lists, 2: a resource's child lists, 3: a child's), with the scope its gap names;
    and the depth of every document collected."""
    ids = {r.key for r in inventory.resources}

    def owner(path: str) -> str | None:  # the longest collected id the path hangs below
        parts = path.split("/")
        return next(("/".join(parts[:n]) for n in range(len(parts) - 1, 3, -1) if "/".join(parts[:n]) in ids), None)

    def level(key: str | None) -> int:
        return 0 if key is None else 1 + level(owner(key))

    lists: dict[int, dict[str, str]] = {}
    for request in arm.requests:
        path = request.path.lower()
        if request.status == 200 and is_collection(path) and path.count("/") > 2 \
                and not path.endswith("/resourcegroups"):  # a group list's failure is tested above (`*`)
            scope = owner(path)
            lists.setdefault(level(scope) + 1, {})[path] = scope or "/".join(path.split("/")[:3])
    return lists, {key: level(key) for key in ids}


def test_every_list_at_every_depth_refuses_an_empty_object(arm: Emulator) -> None:
    """`{}` for each list the collector reads, one depth at a time: a gap for every list asked, none of
    its documents, and everything above it still read."""
    lists, depth_of = list_levels(arm, collect(arm))
    assert sorted(lists) == [1, 2, 3] and sum(len(paths) for paths in lists.values()) > 100
    for depth, paths in sorted(lists.items()):
        arm.faults[:] = [Fault("^(" + "|".join(re.escape(p) for p in paths) + r")\?", 200, times=None, body={})]
        inventory = collect(arm)
        assert {g.scope.lower() for g in inventory.gaps} == set(paths.values()), depth
        assert all("without a 'value' array" in g.error for g in inventory.gaps)
        for gap in inventory.gaps:
            assert not [r for r in inventory.resources if r.type.lower() == gap.data.lower()
                        and (r.key.startswith(gap.scope.lower() + "/") or f"/subscriptions/{r.subscription_id}" ==
                             gap.scope.lower())]
        assert {k for k, d in depth_of.items() if d < depth} <= {r.key for r in inventory.resources}


def test_an_empty_object_for_the_tenants_subscription_list_ends_the_collection(arm: Emulator) -> None:
    """The scope itself is unknown: no estate is reported as if it had no subscription."""
    arm.add_fault(Fault(r"^/subscriptions\?", 200, times=None, body={}))
    with pytest.raises(CollectionError, match=r"^cannot list subscriptions: malformed payload: a list response "
                                              r"without a 'value' array$"):
        collect(arm)


def test_an_empty_object_for_a_management_groups_descendants_ends_the_collection(arm: Emulator) -> None:
    arm.estate.management_groups = [ManagementGroup("contoso", None, (SUB1,))]
    arm.index = arm.estate.index()
    arm.add_fault(Fault(r"/managementgroups/contoso/descendants\?", 200, times=None, body={}))
    with pytest.raises(CollectionError, match=r"^cannot list management group contoso: malformed payload"):
        collect(arm, Scope(management_groups=("contoso",)))


def test_a_resource_graph_skip_token_loop_is_read_with_arm(arm: Emulator) -> None:
    arm.add_fault(Fault("^/providers/microsoft.resourcegraph/resources", 200, times=None,
                        body={"data": [], "$skipToken": "page-0"}))
    inventory = collect(arm, discovery="graph")
    incomplete = inventory.source["discovery"]["incomplete_batches_read_with_arm"]
    assert [b["error"] for b in incomplete] == [
        "Resource Graph's $skipToken leads back to a page already read (a loop)"]
    assert inventory.gaps == [] and {r.key for r in inventory.resources} == {d["id"].lower()
                                                                              for d in arm.estate.resources}


def vault_in(arm: Emulator, sub: str) -> dict[str, Any]:
    return next(d for d in arm.estate.resources if d["type"] == VAULTS and d["id"].split("/")[2] == sub)


@pytest.mark.parametrize("resource_type", [VAULTS, FACTORIES])
def test_documents_that_do_not_answer_what_was_asked_are_dropped_counted_and_a_gap(arm: Emulator,
                                                                                   resource_type: str) -> None:
    mine = next(d for d in arm.estate.resources if d["type"] == resource_type and d["id"].split("/")[2] == SUB1)
    other_sub = next(d for d in arm.estate.resources if d["type"] == resource_type and d["id"].split("/")[2] != SUB1)
    wrong_type = next(d for d in arm.estate.resources if d["type"] == "Microsoft.Storage/storageAccounts"
                      and d["id"].split("/")[2] == SUB1)
    page = [mine, {"name": "no-id", "type": resource_type}, other_sub, mine, wrong_type, {**mine, "id": 42}]
    arm.add_fault(Fault(first_page(resource_type), 200, times=None, body={"value": page}))
    inventory = collect(arm)
    assert inventory.source["dropped_documents"] == {"malformed": 2, "foreign_scope": 1, "wrong_type": 1,
                                                     "duplicate_id": 1}
    assert gaps(inventory) == [(f"/subscriptions/{SUB1}", resource_type,
                                f"malformed payload: 5 document(s) of {resource_type} dropped (2 malformed or without "
                                "a valid id, 1 outside the scope asked for, 1 of another type, 1 repeating an id "
                                "already listed)")]
    assert mine["id"].lower() in kept(inventory, resource_type)  # what did answer the question is kept
    # the other subscription's document was kept from its own list, as that list served it
    assert inventory.get(other_sub["id"]) is not None


def test_a_child_document_of_another_parent_is_dropped(arm: Emulator) -> None:
    servers = [d for d in arm.estate.resources if d["type"] == "Microsoft.Sql/servers"]
    first, second = servers[0], servers[1]
    stranger = next(d for d in arm.estate.resources if d["type"] == "Microsoft.Sql/servers/databases"
                    and d["id"].lower().startswith(second["id"].lower() + "/"))
    arm.add_fault(Fault(f"^{first['id'].lower()}/databases\\?", 200, times=None, body={"value": [stranger]}))
    inventory = collect(arm)
    assert inventory.source["dropped_documents"]["foreign_scope"] == 1
    assert [(g.scope, g.data) for g in inventory.gaps] == [(first["id"], "Microsoft.Sql/servers/databases")]


def test_a_single_document_that_is_not_the_one_asked_for_is_a_gap(arm: Emulator) -> None:
    accounts = [d for d in arm.estate.resources if "geoReplicationStats" in d.get("properties", {})]
    arm.add_fault(Fault(f"^{accounts[0]['id'].lower()}\\?.*expand=", 200, times=None, body=accounts[1]))
    blob = next(d for d in arm.estate.resources if d["type"] == "Microsoft.Storage/storageAccounts/blobServices")
    account = blob["id"].lower().rsplit("/blobservices/", 1)[0]
    arm.add_fault(Fault(f"^{account}/blobservices/default\\?", 200, times=None, body={}))
    inventory = collect(arm)
    assert {(g.scope.lower(), g.data) for g in inventory.gaps} == {
        (accounts[0]["id"].lower(), "geoReplicationStats"),
        (account, "Microsoft.Storage/storageAccounts/blobServices")}
    assert "geoReplicationStats" not in inventory.get(accounts[0]["id"]).properties  # the listed document stays
    assert inventory.source["dropped_documents"] == {"malformed": 1, "foreign_scope": 1, "wrong_type": 0,
                                                     "duplicate_id": 0}


@pytest.mark.parametrize(("pattern", "data"), [
    (f"^/subscriptions/{SUB1}/providers/microsoft\\.authorization/locks\\?", "Microsoft.Authorization/locks"),
    (f"^/subscriptions/{SUB1}/locations\\?", "locations"),
])
def test_locks_and_locations_without_an_id_are_counted_and_a_gap(arm: Emulator, pattern: str, data: str) -> None:
    arm.add_fault(Fault(pattern, 200, times=None, body={"value": [{"name": "westeurope", "properties": {}}]}))
    inventory = collect(arm)
    assert inventory.source["dropped_documents"]["malformed"] == 1
    assert [(g.scope, g.data) for g in inventory.gaps] == [(f"/subscriptions/{SUB1}", data)]
    assert "1 malformed or without a valid id" in inventory.gaps[0].error


def test_subscriptions_without_an_id_are_counted_and_a_gap(arm: Emulator) -> None:
    listed = [*arm.estate.subscriptions, {"displayName": "no id", "state": "Enabled"},
              {"id": "/subscriptions/x", "subscriptionId": "y", "state": "Enabled"}]
    arm.add_fault(Fault(r"^/subscriptions\?", 200, times=None, body={"value": listed}))
    inventory = collect(arm)
    assert inventory.source["dropped_documents"]["malformed"] == 2
    assert [(g.scope, g.data) for g in inventory.gaps] == [("/subscriptions", "Microsoft.Resources/subscriptions")]
    assert len(inventory.subscriptions) == len(arm.estate.subscriptions)


def test_a_subscription_listed_twice_is_counted_and_a_gap(arm: Emulator) -> None:
    first = arm.estate.subscriptions[0]
    listed = [*arm.estate.subscriptions, {**first, "state": "Disabled"}]
    arm.add_fault(Fault(r"^/subscriptions\?", 200, times=None, body={"value": listed}))
    inventory = collect(arm)
    assert inventory.source["dropped_documents"]["duplicate_id"] == 1
    assert [(g.scope, g.data) for g in inventory.gaps] == [("/subscriptions", "Microsoft.Resources/subscriptions")]
    assert "1 repeating an id already listed" in inventory.gaps[0].error
    assert len(inventory.subscriptions) == len(arm.estate.subscriptions)


def _damaged(docs: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    """A list page of `docs`, the first one with `fields` set."""
    return {"value": [{**docs[0], **fields}, *docs[1:]]}


@pytest.mark.parametrize(("section", "pattern", "scope", "data"), [
    ("resource_groups", f"^/subscriptions/{SUB1}/resourcegroups\\?", f"/subscriptions/{SUB1}", "*"),
    ("locks", f"^/subscriptions/{SUB1}/providers/microsoft\\.authorization/locks\\?", f"/subscriptions/{SUB1}",
     "Microsoft.Authorization/locks"),
    ("subscriptions", r"^/subscriptions\?", "/subscriptions", "Microsoft.Resources/subscriptions"),
])
def test_a_document_the_snapshot_schema_refuses_is_dropped_and_the_snapshot_loads_back(
        arm: Emulator, tmp_path: Any, section: str, pattern: str, scope: str, data: str) -> None:
    """A group whose tags are a list, a lock whose tags are text, a subscription whose name is
    an object: kept, they would make a snapshot that `scan --snapshot` refuses."""
    docs = {"resource_groups": [g for g in arm.estate.resource_groups if g["id"].split("/")[2] == SUB1],
            "locks": arm.index.locks_under(f"/subscriptions/{SUB1}"),
            "subscriptions": arm.estate.subscriptions}[section]
    damage = {"resource_groups": {"tags": ["x"]}, "locks": {"tags": "text"},
              "subscriptions": {"displayName": {"a": 1}}}[section]
    arm.add_fault(Fault(pattern, 200, times=None, body=_damaged(docs, **damage)))
    inventory = collect(arm)
    assert inventory.source["dropped_documents"]["malformed"] == 1
    assert (scope, data) in [(g.scope, g.data) for g in inventory.gaps]
    save_snapshot(inventory, tmp_path / "estate.json")
    assert len(load_snapshot(tmp_path / "estate.json").resources) == len(inventory.resources)


def test_a_document_nested_absurdly_deep_or_with_nan_is_dropped(arm: Emulator, tmp_path: Any) -> None:
    mine = vault_in(arm, SUB1)
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(200):
        node["x"] = {}
        node = node["x"]
    page = [{**mine, "properties": deep}, {**mine, "id": mine["id"] + "x", "name": mine["name"] + "x",
                                           "properties": {"n": float("nan")}}]
    arm.add_fault(Fault(first_page(VAULTS), 200, times=None, body={"value": page}))
    inventory = collect(arm)
    assert inventory.source["dropped_documents"]["malformed"] == 2
    assert [(g.scope, g.data) for g in inventory.gaps] == [(f"/subscriptions/{SUB1}", VAULTS)]


@pytest.mark.parametrize("error", [{"code": 42, "message": True}, {"code": "Denied\nsecond", "message": ["a", "b"]},
                                   {"code": None, "message": {"x": 1}}, "text", None],
                         ids=["number and boolean", "newline and list", "object", "a string", "null"])
def test_an_error_body_of_any_shape_is_a_gap_in_one_line(arm: Emulator, error: Any) -> None:
    arm.add_fault(Fault(first_page(VAULTS), 403, times=None, body={"error": error}))
    inventory = collect(arm)
    assert [(g.scope, g.data, g.status) for g in inventory.gaps] == [(f"/subscriptions/{SUB1}", VAULTS, 403)]
    assert inventory.gaps[0].error.startswith("HTTP 403") and "\n" not in inventory.gaps[0].error


def test_a_failure_that_cannot_be_described_is_still_a_gap(arm: Emulator, mocker: Any) -> None:
    arm.add_fault(Fault(first_page(VAULTS), 403, times=None))
    mocker.patch("scanner.collect.collector.describe", side_effect=RuntimeError("boom"))
    inventory = collect(arm)
    assert [(g.scope, g.data, g.error) for g in inventory.gaps] == [
        (f"/subscriptions/{SUB1}", VAULTS, "internal error: HttpResponseError (not described: RuntimeError)")]


# --- Retry-After --------------------------------------------------------------------------
A_DAY_AHEAD = format_datetime(datetime.now(UTC) + timedelta(days=1), usegmt=True)


@pytest.mark.parametrize("headers", [{"Retry-After": "100000"}, {"Retry-After": "inf"}, {"Retry-After": A_DAY_AHEAD},
                                     {"retry-after-ms": "1e12"}], ids=["100000", "inf", "a day ahead", "ms"])
def test_a_retry_after_beyond_the_cap_is_not_slept_the_read_is_tried_once_more_then_a_gap(
        arm: Emulator, headers: dict[str, str]) -> None:
    arm.add_fault(Fault(first_page(VAULTS), 429, times=None, headers=headers))
    started = time.monotonic()
    inventory = collect(arm)
    assert time.monotonic() - started < 50  # sleeping it would take a day (or, capped, a minute)
    assert [(g.scope, g.data, g.status) for g in inventory.gaps] == [(f"/subscriptions/{SUB1}", VAULTS, 429)]
    assert "is beyond the 60 s cap: not waited for" in inventory.gaps[0].error
    assert [r.status for r in list_calls(arm, VAULTS)] == [429, 429]  # the read, then the re-read
    assert inventory.source["rereads"] == {"reads": 1, "recovered": 0}


def test_a_read_deferred_by_a_long_retry_after_is_recovered_by_the_re_read(arm: Emulator) -> None:
    arm.add_fault(Fault(first_page(FACTORIES), 429, times=1, retry_after="3600"))
    inventory = collect(arm)
    assert inventory.gaps == []
    assert kept(inventory, FACTORIES) == served(arm, FACTORIES)
    assert [r.status for r in list_calls(arm, FACTORIES)] == [429, 200]
    assert inventory.source["rereads"] == {"reads": 1, "recovered": 1}


@pytest.mark.parametrize(("status", "retry_after", "attempts"), [
    (500, None, 3), (429, "-1", 3), (429, "Thu, 01 Jan 1970 00:00:00 GMT", 3),
    (429, "soon", 1),  # no usable Retry-After: the subscription pauses 5 s, which the budget counts
], ids=["500", "429 negative", "429 in the past", "429 unreadable"])
def test_retries_no_usable_retry_after_asked_for_stop_at_the_wait_budget(arm: Emulator, status: int,
                                                                         retry_after: str | None,
                                                                         attempts: int) -> None:
    """Backoff here is 0, 0.02, 0.04, ... s: three attempts fit a budget of 0.05 s (seven would be
    made without it); with the real figures a failing server costs 11 to 20 s per pass, not 50 to 65."""
    arm.add_fault(Fault(first_page(VAULTS), status, times=None, retry_after=retry_after))
    inventory = collect(arm, limits=Limits(retry_wait_budget=0.05 if attempts > 1 else 4.0))
    assert [(g.scope, g.data, g.status) for g in inventory.gaps] == [(f"/subscriptions/{SUB1}", VAULTS, status)]
    assert "retries exhausted" in inventory.gaps[0].error
    assert [r.status for r in list_calls(arm, VAULTS)] == [status] * attempts * 2  # the read, then the re-read
    assert inventory.source["limits"]["retry_wait_budget_seconds"] == (0.05 if attempts > 1 else 4.0)


# --- the re-read pass -----------------------------------------------------------------------
def test_a_read_whose_retries_are_exhausted_is_read_again_at_the_end(arm: Emulator) -> None:
    arm.add_fault(Fault(first_page(VAULTS), 500, times=7))  # the read and its 6 retries
    inventory = collect(arm)
    assert inventory.gaps == []
    assert kept(inventory, VAULTS) == served(arm, VAULTS)
    assert [r.status for r in list_calls(arm, VAULTS)] == [500] * 7 + [200]
    assert inventory.source["rereads"] == {"reads": 1, "recovered": 1}


def test_children_of_a_list_read_again_are_read_once(arm: Emulator) -> None:
    arm.page_size = 1
    server = next(d for d in arm.estate.resources if d["type"] == "Microsoft.Sql/servers")
    arm.add_fault(Fault(f"^{server['id'].lower()}/databases\\?.*skiptoken=1(&|$)", 503, times=7))  # page 2 fails
    inventory = collect(arm)
    assert inventory.gaps == []
    database = next(d for d in arm.estate.resources if d["id"].lower().startswith(server["id"].lower() + "/databases/")
                    and d["name"] != "master")
    reads = [r for r in arm.requests if r.path.lower() == database["id"].lower() + "/replicationlinks"]
    assert len(reads) == 1


def test_a_list_read_again_keeps_the_detail_its_documents_were_re_read_with(arm: Emulator) -> None:
    """Storage accounts listed one per page, the second page failing until the re-read pass: the
    list is read again from its first page, and the account there keeps the geoReplicationStats
    its own re-read (`$expand`) added in the first pass."""
    arm.page_size = 1
    arm.add_fault(Fault(r"/providers/microsoft\.storage/storageaccounts\?.*skiptoken=1(&|$)", 503, times=7))
    inventory = collect(arm)
    assert inventory.gaps == [] and inventory.source["rereads"]["recovered"] == inventory.source["rereads"]["reads"] > 0
    first_pages = {d["id"].lower() for d in arm.estate.resources if d["type"] == "Microsoft.Storage/storageAccounts"
                   and "geoReplicationStats" in d["properties"]} & {r.key for r in inventory.resources}
    assert first_pages
    assert {r.key: dict(r.raw) for r in inventory.resources} == {d["id"].lower(): d for d in arm.estate.resources}


def test_a_read_still_failing_after_the_re_read_is_a_gap(arm: Emulator) -> None:
    arm.add_fault(Fault(first_page(VAULTS), 503, times=None))
    inventory = collect(arm)
    assert [(g.scope, g.data, g.status) for g in inventory.gaps] == [(f"/subscriptions/{SUB1}", VAULTS, 503)]
    assert len(list_calls(arm, VAULTS)) == 14  # twice the read and its 6 retries
    assert inventory.source["rereads"] == {"reads": 1, "recovered": 0}


def test_a_refusal_is_not_read_again(arm: Emulator) -> None:
    arm.add_fault(Fault(first_page(VAULTS), 403, times=None))
    inventory = collect(arm)
    assert [(g.data, g.status) for g in inventory.gaps] == [(VAULTS, 403)]
    assert len(list_calls(arm, VAULTS)) == 1
    assert inventory.source["rereads"] == {"reads": 0, "recovered": 0}


# --- paging ----------------------------------------------------------------------------------
@pytest.mark.parametrize("resource_type", [VAULTS, FACTORIES])
def test_an_endless_chain_of_new_next_links_ends_at_the_page_cap(arm: Emulator, resource_type: str) -> None:
    api = "2023-07-01" if resource_type == VAULTS else "2018-06-01"
    arm.add_fault(Fault(f"^/subscriptions/{SUB1}" + LISTS[resource_type], 200, times=None,
                        next_link="{url}{path}?api-version=" + api + "&$skiptoken={n}0000"))
    inventory = collect(arm, limits=Limits(max_pages=7))
    assert gaps(inventory) == [(f"/subscriptions/{SUB1}", resource_type, "the list has more than 7 pages")]
    assert len(list_calls(arm, resource_type)) == 7
    assert kept(inventory, resource_type) == served(arm, resource_type)  # the pages read are kept


@pytest.mark.parametrize("resource_type", [VAULTS, FACTORIES])
@pytest.mark.parametrize("loop", ["self", "a-b-a"])
def test_a_next_link_loop_ends_with_a_gap(arm: Emulator, resource_type: str, loop: str) -> None:
    if loop == "self":
        arm.add_fault(Fault(f"^/subscriptions/{SUB1}" + LISTS[resource_type], 200, times=None,
                            next_link="{url}{path}?{query}"))
    else:  # the first page links to B, B links back to the first page
        arm.add_fault(Fault(first_page(resource_type), 200, times=None, next_link="{url}{path}?$skiptoken=1000"))
        arm.add_fault(Fault("skiptoken=1000", 200, times=None, next_link="{url}{path}"))
    inventory = collect(arm)
    assert gaps(inventory) == [(f"/subscriptions/{SUB1}", resource_type,
                                "the list's nextLink leads back to a page already read (a loop)")]
    assert len(list_calls(arm, resource_type)) == (1 if loop == "self" else 2)


def test_a_list_past_its_deadline_ends_with_a_gap(arm: Emulator) -> None:
    arm.page_size = 1
    arm.add_fault(Fault(f"^/subscriptions/{SUB1}" + LISTS[VAULTS], None, times=None, latency=1.5))
    inventory = collect(arm, Scope(subscriptions=(SUB1,)), types=(KEY_VAULT,), limits=Limits(list_deadline=2.0))
    assert gaps(inventory) == [(f"/subscriptions/{SUB1}", VAULTS, "not read: the 2 s per-read deadline reached")]
    assert len(list_calls(arm, VAULTS)) < len(served(arm, VAULTS, SUB1))


# --- bytes and time ------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_compressed_answers_are_read_as_the_same_documents(arm: Emulator, encoding: str) -> None:
    plain = collect(arm)
    arm.add_fault(Fault(".", 200, times=None, encoding=encoding))
    compressed = collect(arm)
    assert compressed.gaps == []
    assert [dict(r.raw) for r in compressed.resources] == [dict(r.raw) for r in plain.resources]


def test_an_encoding_we_did_not_ask_for_is_a_gap(arm: Emulator) -> None:
    arm.add_fault(Fault(first_page(VAULTS), 200, times=None, headers={"Content-Encoding": "br"}))
    inventory = collect(arm)
    assert gaps(inventory) == [(f"/subscriptions/{SUB1}", VAULTS,
                                "malformed payload: unsupported Content-Encoding 'br'")]


def test_an_answer_larger_than_the_cap_is_a_gap(arm: Emulator) -> None:
    page = {"value": [vault_in(arm, SUB1)], "padding": "x" * (2 * 1024 * 1024)}
    arm.add_fault(Fault(first_page(VAULTS), 200, times=None, body=page))
    inventory = collect(arm, limits=Limits(max_response_bytes=1024 * 1024))
    assert gaps(inventory) == [(f"/subscriptions/{SUB1}", VAULTS, "response larger than 1 MiB")]


def test_a_gzip_bomb_is_a_gap_and_never_held_in_memory(arm: Emulator) -> None:
    bomb = 512 * 1024 * 1024  # about 0.5 MB on the wire
    _gzip_zeros(bomb)  # compressed before measuring: the emulator's side is not the client's
    arm.add_fault(Fault(first_page(VAULTS), 200, times=None, gzip_bomb=bomb))
    tracemalloc.start()
    try:
        inventory = collect(arm, Scope(subscriptions=(SUB1,)), limits=Limits(max_response_bytes=1024 * 1024))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert gaps(inventory) == [(f"/subscriptions/{SUB1}", VAULTS,
                                "response larger than 1 MiB after decompression")]
    assert peak < 64 * 1024 * 1024  # the bomb expands to 512 MiB


@pytest.mark.parametrize("from_headers", [False, True], ids=["body", "headers"])
def test_a_slow_drip_ends_at_the_request_deadline(arm: Emulator, from_headers: bool) -> None:
    # One byte every 0.3 s: every read gets a byte well within the read timeout, so only the
    # whole-request deadline ends it (the full answer would take minutes).
    arm.add_fault(Fault(first_page(VAULTS), 200, times=None, drip=0.3, drip_headers=from_headers))
    started = time.monotonic()
    inventory = collect(arm, Scope(subscriptions=(SUB1,)), types=(KEY_VAULT,), read_timeout=1.0,
                        limits=Limits(request_deadline=3.0))
    assert time.monotonic() - started < 40
    assert gaps(inventory) == [(f"/subscriptions/{SUB1}", VAULTS,
                                "no complete response within the 3 s request deadline")]
    assert len(list_calls(arm, VAULTS)) == 2  # not retried at once; once more in the re-read pass


def test_the_scan_deadline_ends_the_collection_and_it_still_reports(arm: Emulator) -> None:
    arm.latency = 0.3
    # A throttled subscription (within the cap) must not hold the scan past its deadline either.
    arm.add_fault(Fault(first_page(FACTORIES), 429, times=None, retry_after="50"))
    started = time.monotonic()
    live = collector(arm, limits=Limits(scan_deadline=3.0))
    inventory = live.collect()
    assert time.monotonic() - started < 20
    assert inventory.source["deadline_reached"] is True
    unread = [g for g in inventory.gaps if g.error == "not read: the scan deadline (3 s) reached"]
    assert unread and {g.status for g in unread} == {None}


def test_a_next_page_at_a_document_url_is_still_checked_as_a_page(arm: Emulator) -> None:
    vault = vault_in(arm, SUB1)
    arm.add_fault(Fault(first_page(VAULTS), 200, times=None, next_link="{url}" + vault["id"]))
    arm.add_fault(Fault(f"^{vault['id'].lower()}\\?", 200, times=None, body={}))
    inventory = collect(arm)
    assert gaps(inventory) == [(f"/subscriptions/{SUB1}", VAULTS, "malformed payload: a list response without a "
                                                                 "'value' array")]
