"""Fuzzing the readers of what ARM answers (hypothesis), below the CLI: the parsers of list pages
and Resource Graph answers, the shape checks every collected document passes, the predicates and
id helpers the collector applies to a kept document, Retry-After, and the checks' property
readers. Whatever the answer, nothing leaves them but their documented errors:

- parsing and paging: `MalformedPayload` (and `GraphIncomplete` for Resource Graph);
- shape checks, predicates, id helpers, Retry-After: nothing at all;
- a check: a Result, or one of the engine's DATA_ERRORS (the resource's verdict is then unknown);
  whatever it returns, the reports can be written.

Each test is bounded by its number of examples and by a per-example deadline far above what an
example takes: a deadline reached means a reader went quadratic or hung, not a slow machine.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import json
import math
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from requests.structures import CaseInsensitiveDict

from scanner.check import EvaluationContext, Result, Status
from scanner.collect.arm import _parse, arm_list, describe, raw_pages
from scanner.collect.bounds import MalformedPayload
from scanner.collect.collector import _as_doc, _is_subscription, _listed_subscriptions
from scanner.collect.collectors import TYPES, ChildSpec, TypeSpec
from scanner.collect.graph import GraphAnswer, GraphIncomplete, _take_page
from scanner.collect.pipeline import _list_page, retry_after
from scanner.collect.shape import REASONS, id_problem, resource_problem, scrub, type_of, unstorable
from scanner.engine import DATA_ERRORS, ScanResult, evaluate
from scanner.errors import InputError
from scanner.model import Inventory, Resource
from scanner.policy import parse_policy
from scanner.registry import discover
from scanner.reporters.base import ReportOptions
from scanner.reporters.json_report import render_json
from scanner.reporters.markdown import render_markdown
from scanner.reporters.sarif import render_sarif
from scanner.reporters.table import render_table
from scanner.snapshot import _resource_checker, parse_snapshot
from tests.helpers import REPO
from tests.scanner.test_fuzz_inputs import SAMPLE, json_values, paths_in

FUZZ = settings(max_examples=150, deadline=timedelta(seconds=5), database=None,
                suppress_health_check=[HealthCheck.too_slow])
SUB = "6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e01"
SCOPE = f"/subscriptions/{SUB}"
SECRET = "opaque-live-token-4f9c2a7e1b"


def literals_in(*folders: str) -> list[str]:
    """The short string literals of the checks and the recovery model: the property names and values
    they branch on, so that random documents reach their deeper paths."""
    found: set[str] = set()
    for folder in folders:
        for path in sorted((REPO / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and 0 < len(node.value) <= 40 \
                        and " " not in node.value:
                    found.add(node.value)
    return sorted(found)


WORDS = literals_in("checks", "scanner/recovery")


def _walk(specs: tuple[Any, ...]) -> Iterator[TypeSpec | ChildSpec]:
    for spec in specs:
        if isinstance(spec, TypeSpec | ChildSpec):
            yield spec
            yield from _walk(spec.children)


ALL_TYPES: list[TypeSpec | ChildSpec] = list(_walk(TYPES))
TYPE_NAMES = sorted({spec.type for spec in ALL_TYPES})
words = st.sampled_from(WORDS)
scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.sampled_from([10**15, -1, 0, 1, 35, 1440, 2**53 + 1]) | st.floats(allow_nan=True, allow_infinity=True)
           | st.text(max_size=10) | words
           | st.sampled_from(["9999-12-31T23:59:59Z", "2026-11-20T06:00:00Z", "2027-02-30T00:00:00Z", "P1D", "-5"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(words | st.text(max_size=5), inner, max_size=5), max_leaves=25)
ids = st.sampled_from([SCOPE, f"{SCOPE}/resourceGroups/g",
                       f"{SCOPE}/resourceGroups/g/providers/Microsoft.Sql/servers/s",
                       f"{SCOPE}/resourceGroups/g/providers/Microsoft.Sql/servers/s/databases/master",
                       f"{SCOPE}/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/a",
                       "/subscriptions/other/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/a",
                       f"{SCOPE}/resourceGroups//providers///", f"{SCOPE}/locations/westeurope",
                       f"{SCOPE}/providers/Microsoft.Authorization/locks/l", f"{SCOPE}/resourceGroups/g/providers"]) \
    | st.text(max_size=30) | scalars
documents = st.fixed_dictionaries({"id": ids}, optional={
    "type": st.sampled_from(TYPE_NAMES) | scalars, "name": scalars, "kind": scalars, "location": scalars,
    "sku": values, "tags": values, "properties": values, "subscriptionId": st.sampled_from([SUB, "other"]) | scalars,
    "state": scalars, "displayName": scalars})
pages = st.fixed_dictionaries({}, optional={"value": st.lists(documents | values, max_size=4) | values,
                                            "nextLink": st.none() | st.text(max_size=20) | scalars}) | values


def json_text(value: Any) -> str:
    return json.dumps(value, allow_nan=True)


# --- parsing and paging ---------------------------------------------------------------------
@FUZZ
@given(text=st.text(max_size=200) | pages.map(json_text) | st.sampled_from(["[" * 100_000, "1" * 5000, "NaN"]))
def test_a_response_body_parses_or_is_malformed(text: str) -> None:
    with contextlib.suppress(MalformedPayload):
        _parse(text)


@FUZZ
@given(text=st.text(max_size=100) | pages.map(json_text))
def test_a_list_page_gives_its_next_link_or_is_malformed(text: str) -> None:
    try:
        next_link = _list_page(text)
    except MalformedPayload:
        return
    assert next_link is None or (isinstance(next_link, str) and next_link)


class Http:
    def __init__(self, body: Any) -> None:
        self.status_code = 200
        self._text = json_text(body)

    def text(self) -> str:
        return self._text


class Client:
    """Serves the drawn pages in turn (then an empty last page) whatever URL is asked."""

    def __init__(self, bodies: list[Any]) -> None:
        self.bodies = iter(bodies)

    def send_request(self, request: Any) -> Http:
        return Http(next(self.bodies, {"value": []}))


@FUZZ
@given(bodies=st.lists(pages, min_size=1, max_size=4))
def test_the_generic_arm_path_reads_pages_or_finds_them_malformed(bodies: list[Any]) -> None:
    try:
        items = list(arm_list(Client(bodies), f"{SCOPE}/providers/Microsoft.DataFactory/factories", "2018-06-01"))
    except MalformedPayload:
        return
    assert all(isinstance(b, dict) and isinstance(b.get("value"), list) for b in bodies[:1])
    assert isinstance(items, list)


class Pager:
    """An SDK operation: its response hook sees each drawn page; it yields what it believes."""

    def __init__(self, bodies: list[Any], believed: int) -> None:
        self.bodies, self.believed = bodies, believed

    def __call__(self, raw_response_hook: Any) -> Iterator[Any]:
        for body in self.bodies:
            raw_response_hook(type("Response", (), {"http_response": Http(body)})())
        yield from range(self.believed)


@FUZZ
@given(bodies=st.lists(pages, max_size=3), believed=st.integers(0, 6))
def test_raw_sdk_pages_are_the_items_the_sdk_read_or_malformed(bodies: list[Any], believed: int) -> None:
    try:
        items = raw_pages(Pager(bodies, believed))
    except MalformedPayload:
        return
    assert len(items) == believed


graph_pages = st.fixed_dictionaries({}, optional={
    "data": st.lists(st.fixed_dictionaries({}, optional={"subscriptionId": st.sampled_from([SUB, "other"]) | scalars,
                                                        "type": st.sampled_from(TYPE_NAMES) | scalars, "id": ids})
                     | values, max_size=4) | values,
    "$skipToken": st.none() | st.text(max_size=10) | scalars | st.just("x" * 5000),
    "resultTruncated": st.sampled_from(["true", "false", True, False, None, 1]), "count": scalars}) | values


@FUZZ
@given(page=graph_pages)
def test_a_resource_graph_page_is_read_or_refused(page: Any) -> None:
    answer = GraphAnswer()
    try:
        token = _take_page(page, {SUB}, answer)
    except (MalformedPayload, GraphIncomplete):
        return
    assert token is None or (isinstance(token, str) and 0 < len(token) <= 4096)
    assert set(answer.found) <= {SUB}


# --- shape checks and what the collector applies to a kept document -------------------------
@FUZZ
@given(doc=documents | values, expected=st.sampled_from(TYPE_NAMES),  # the types the collector asks for
       scope=st.sampled_from([SCOPE, f"{SCOPE}/resourceGroups/g/providers/Microsoft.Sql/servers/s", ""]))
def test_a_kept_document_is_one_the_snapshot_loads_back(doc: Any, expected: str, scope: str) -> None:
    problem = resource_problem(doc, expected, scope)
    assert problem is None or problem in REASONS
    if problem is not None:
        return
    try:
        clean, _ = scrub(doc, (SECRET,))
    except MalformedPayload:
        return
    assert _resource_checker()(clean) is None, clean
    assert type_of(clean).lower() == expected.lower()


@FUZZ
@given(doc=documents | values, section=st.sampled_from(["resource_groups", "locks", "locations", "subscriptions"]),
       prefix=st.sampled_from([f"{SCOPE}/", "/subscriptions", ""]))
def test_the_checks_of_other_documents_answer_without_raising(doc: Any, section: str, prefix: str) -> None:
    assert id_problem(doc, prefix) in (None, *REASONS)
    if isinstance(doc, dict):
        assert unstorable(doc, section) in (None, *REASONS)
    assert isinstance(_is_subscription(doc), bool) and isinstance(_is_subscription(doc, SUB), bool)
    drops = Counter[str]()
    listed = list(_listed_subscriptions([doc, doc], drops))
    assert len(listed) + sum(drops.values()) == 2
    assert _as_doc(doc) == (doc if isinstance(doc, dict) else None)


@FUZZ
@given(doc=documents | values)
def test_scrubbing_removes_the_secret_or_finds_the_document_malformed(doc: Any) -> None:
    planted = {"name": f"x{SECRET}y", "tags": {SECRET: f"Bearer {SECRET}"}, "inner": doc}
    try:
        clean, changed = scrub(planted, (SECRET,))
    except MalformedPayload:
        return
    assert SECRET not in json_text(clean) and changed >= 3


class Clients:
    """Any SDK operation a child's `fetch` calls answers an empty list: what is tested is the
    arguments it builds from the parent document."""

    def __getattr__(self, name: str) -> Any:
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> list[Any]:
        assert all(isinstance(a, str) for a in args)
        return []

    subscription_id = SUB

    def memo(self, key: str, load: Any) -> Any:
        return load()


@FUZZ
@given(spec=st.sampled_from([s for s in ALL_TYPES if s.children]), doc=documents)
def test_a_kept_parent_gives_its_children_reads_without_raising(spec: TypeSpec | ChildSpec,
                                                                doc: dict[str, Any]) -> None:
    """What a kept document decides (which children to read) and names (their URLs) never raises: a
    raise there would end the read of the rest of its list."""
    if resource_problem(doc, spec.type, SCOPE) is not None:
        return
    for child in spec.children:
        assert isinstance(child.when(doc), bool)
        # An SDK call's arguments are built here; the generic path's URL when its pages are read.
        fetched = child.fetch(Clients(), doc)  # type: ignore[arg-type]
        if isinstance(child, ChildSpec) and not isinstance(fetched, Iterator):
            assert isinstance(list(fetched), list)


@FUZZ
@given(headers=st.dictionaries(st.sampled_from(["Retry-After", "retry-after-ms", "x-ms-retry-after-ms",
                                                "x-ms-user-quota-remaining", "x-ms-user-quota-resets-after"]),
                               st.text(max_size=40) | st.sampled_from(["0", "inf", "-inf", "nan", "1e999", "100000",
                                                                      "Sun, 06 Nov 2994 08:49:37 GMT", "99:99:99"]),
                               max_size=4))
def test_retry_after_is_a_wait_or_none_whatever_the_header(headers: dict[str, str]) -> None:
    wait = retry_after(CaseInsensitiveDict(headers))
    assert wait is None or (wait >= 0 and not math.isnan(wait))


@FUZZ
@given(body=values | st.fixed_dictionaries({"error": st.fixed_dictionaries({}, optional={"code": scalars,
                                                                                          "message": scalars})}),
       status=st.sampled_from([400, 403, 404, 408, 429, 500, 503]), wait=st.text(max_size=12))
def test_an_error_answer_is_described_in_one_bounded_line(body: Any, status: int, wait: str) -> None:
    from azure.core.exceptions import HttpResponseError
    from azure.mgmt.core.exceptions import ARMErrorFormat

    class Response:
        status_code = status
        reason = "Reason"
        headers = CaseInsensitiveDict({"Retry-After": wait})
        content_type = "application/json"

        def text(self, encoding: str | None = None) -> str:
            return json_text(body)

        def body(self) -> bytes:
            return json_text(body).encode()

    message, code = describe(HttpResponseError(response=Response(), error_format=ARMErrorFormat))
    assert code == status and "\n" not in message and len(message) <= 400


# --- the checks' property readers -------------------------------------------------------------
CHECKS = discover(include_plugins=False)
RESOURCE_INDEXES = [i for i, r in enumerate(SAMPLE["resources"]) if any(
    r["type"].lower() in {t.lower() for t in c.resource_types()} for c in CHECKS)]
POLICIES = {strategy: parse_policy({"default_zone": {"name": "z", "strategy": strategy, "rpo": "15m", "rto": "1h",
                                                     "secondary_region": "northeurope"}}, "fuzz")
            for strategy in ("redeploy", "backup-restore", "warm-spare", "hot-spare")}
SCAN_TIME = datetime(2026, 11, 20, 6, tzinfo=UTC)


def mutate(doc: dict[str, Any], data: st.DataObject) -> None:
    """Set, replace or delete one value anywhere in the document (keys the checks read included)."""
    path = data.draw(st.sampled_from([p for p in paths_in(doc) if p[:1] in (("properties",), ("sku",), ("kind",),
                                                                           ("location",), ("tags",))] or [()]))
    parent: Any = doc
    for step in path[:-1]:
        parent = parent[step]
    node = parent[path[-1]] if path else doc
    action = data.draw(st.sampled_from(["set", "add", "delete"]))
    if action == "add" and isinstance(node, dict):
        node[data.draw(words)] = data.draw(values | json_values)
    elif action == "delete" and path and isinstance(parent, dict):
        del parent[path[-1]]
    elif path:
        parent[path[-1]] = data.draw(values | json_values)


def judge(check: Any, resource: Resource, ctx: EvaluationContext) -> Result | None:
    """The check's verdict, or None when a DATA_ERROR says the document is malformed (the engine's unknown)."""
    try:
        if not check.applies_to(resource):
            return None
        return check.evaluate(resource, ctx)
    except DATA_ERRORS:
        return None


@settings(FUZZ, max_examples=120)
@given(data=st.data(), strategy=st.sampled_from(sorted(POLICIES)))
def test_the_checks_read_any_property_values_with_a_verdict_or_a_data_error(data: st.DataObject,
                                                                          strategy: str) -> None:
    snapshot = copy.deepcopy(SAMPLE)
    index = data.draw(st.sampled_from(RESOURCE_INDEXES), label="resource")
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        mutate(snapshot["resources"][index], data)
    try:
        inventory = parse_snapshot(snapshot, "fuzz.json")
    except InputError:
        return
    resource = inventory.get(SAMPLE["resources"][index]["id"])
    assert resource is not None
    policy = POLICIES[strategy]
    ctx = EvaluationContext(inventory, policy.default_zone, policy, SCAN_TIME)
    for check in CHECKS:
        if resource.type_key in {t.lower() for t in check.resource_types()}:
            result = judge(check, resource, ctx)
            assert result is None or (isinstance(result, Result) and isinstance(result.message, str)
                                      and result.status in Status)
    written(evaluate(Inventory(resources=[resource], locations=inventory.locations, collected_at=SCAN_TIME),
                     policy, CHECKS))


def written(scan: ScanResult) -> None:
    """Every report of the scan can be produced (evidence of any shape included)."""
    options = ReportOptions(include_passed=True, width=100)
    json.loads(render_json(scan, options))
    json.loads(render_sarif(scan, options))
    assert render_markdown(scan, options) and render_table(scan, options)
