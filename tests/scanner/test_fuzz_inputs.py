"""Fuzzing the readers of untrusted input (hypothesis): whatever the bytes, nothing but an InputError
leaves the snapshot reader or the ARM document readers, and whatever loads can be evaluated.

Bounded by example counts and by a per-example deadline far above what an example takes (a
deadline reached means a reader went quadratic or hung, not that the machine is loaded).
"""

import copy
import gzip
import json
import math
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.engine import evaluate
from scanner.errors import InputError
from scanner.ingest import inventory_from_documents, read_documents
from scanner.policy import parse_policy
from scanner.registry import discover
from scanner.snapshot import _resource_checker, _schema, load_snapshot
from tests.helpers import REPO

CHECKS = discover(include_plugins=False)
FUZZ = settings(max_examples=150, deadline=timedelta(seconds=5), database=None,
                suppress_health_check=[HealthCheck.too_slow])
STRATEGIES = ["redeploy", "backup-restore", "warm-spare", "hot-spare"]
RESOURCE_ID = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/st1"
# Strings the readers branch on, so that random documents reach past the first check.
WORDS = [RESOURCE_ID, f"{RESOURCE_ID}/blobServices/default", "/subscriptions/s", "/subscriptions/s/resourceGroups/g",
         "/subscriptions/s/locations/westeurope", "/subscriptions/s/providers/Microsoft.Authorization/locks/l",
         "00000000-0000-0000-0000-000000000001", "bcdr-scan/snapshot", "Microsoft.Storage/storageAccounts",
         "Microsoft.DocumentDB/databaseAccounts", "Microsoft.Sql/servers/databases", "blobServices", "default",
         "Standard_RAGRS", "Periodic", "Continuous", "Geo", "Live", "West Europe", "2026-11-20T06:00:00Z",
         "9999-12-31T23:59:59Z", "0001-01-01T00:00:00+14:00", "https://management.azure.com/subscriptions/s/x",
         "https://[", "http://nextlink"]
KEYS = ["id", "Id", "ResourceId", "type", "Type", "ResourceType", "name", "Name", "properties", "Properties",
        "resources", "value", "data", "columns", "rows", "nextLink", "$skipToken", "responses", "200", "body", "kind",
        "version", "collected_at", "sku", "Sku", "tags", "Tags", "location", "locations", "locationName",
        "backupPolicy", "periodicModeProperties", "backupIntervalInMinutes", "geoReplicationStats", "lastSyncTime",
        "status", "subscriptionId", "isDefault", "gaps", "locks", "resource_groups", "zoneRedundant"]

scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**80), max_value=2**80)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12) | st.sampled_from(WORDS))
keys = st.sampled_from(KEYS) | st.text(max_size=6)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=6), max_leaves=40)
ids = st.sampled_from([w for w in WORDS if w.startswith("/")]) | scalars
# Documents shaped like ARM or Azure PowerShell ones (with nested children), so that random input gets past the
# first question ("is there an id?") into the normalisers and the checks.
arm_like = st.recursive(
    st.fixed_dictionaries({"id": ids}, optional={
        "type": st.sampled_from(WORDS) | scalars, "name": scalars, "kind": scalars, "location": scalars,
        "sku": json_values, "tags": json_values, "properties": json_values}),
    lambda inner: st.fixed_dictionaries({"ResourceId": ids}, optional={
        "Id": ids, "ResourceType": st.sampled_from(WORDS) | scalars, "Name": scalars, "Sku": json_values,
        "Properties": json_values, "Location": scalars, "resources": st.lists(inner, max_size=3)})
    | st.fixed_dictionaries({"Type": st.sampled_from(WORDS), "Name": st.sampled_from(WORDS) | scalars}, optional={
        "Properties": json_values, "resources": st.lists(inner, max_size=3)}),
    max_leaves=8)
arm_json = (arm_like | st.lists(arm_like, max_size=4) | st.fixed_dictionaries({"value": st.lists(arm_like, max_size=4)})
            | st.fixed_dictionaries({"data": st.lists(arm_like | json_values, max_size=4)}))


def load_bytes(data: bytes, name: str = "input.json"):
    """load_snapshot on these bytes: the inventory, or None for an InputError. Anything else propagates."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            return load_snapshot(path)
        except InputError as exc:
            assert "\n" not in str(exc)  # one line, whatever the input
            return None


def evaluate_everywhere(inventory, strategy: str) -> None:
    policy = parse_policy({"default_zone": {"name": "z", "strategy": strategy, "rpo": "15m", "rto": "1h"}}, "fuzz")
    scan = evaluate(inventory, policy, CHECKS)
    assert len(scan.outcomes) >= 0


@FUZZ
@given(data=st.binary(max_size=3000), compress=st.booleans())
def test_random_bytes_give_an_inventory_or_an_input_error(data: bytes, compress: bool):
    load_bytes(gzip.compress(data, mtime=0) if compress else data, "input.json.gz" if compress else "input.json")


@FUZZ
@given(document=json_values | arm_json, strategy=st.sampled_from(STRATEGIES))
def test_random_json_loads_or_is_refused_and_what_loads_evaluates(document: Any, strategy: str):
    inventory = load_bytes(json.dumps(document).encode())
    if inventory is not None:
        evaluate_everywhere(inventory, strategy)


def sample_snapshot() -> dict[str, Any]:
    merged: dict[str, Any] = {"kind": "bcdr-scan/snapshot", "version": 1, "collected_at": "2026-11-20T06:00:00Z",
                              "resources": [], "locks": [], "resource_groups": []}
    for path in sorted((REPO / "fixtures" / "sample-estate").glob("*.json")):
        document = json.loads(path.read_text("utf-8"))
        for key in ("resources", "locks", "resource_groups", "subscriptions", "locations", "gaps"):
            merged.setdefault(key, [])
            merged[key] += document.get(key, [])
    return merged


SAMPLE = sample_snapshot()


def paths_in(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        found += paths_in(value, (*prefix, key))
    return found


SECTIONS = [key for key, value in SAMPLE.items() if isinstance(value, list) and value]


@settings(FUZZ, max_examples=80)
@given(data=st.data(), strategy=st.sampled_from(STRATEGIES))
def test_a_real_snapshot_with_one_value_mutated_loads_or_is_refused_and_evaluates(data, strategy: str):
    snapshot = copy.deepcopy(SAMPLE)
    section = data.draw(st.sampled_from(["resources"] * 3 + SECTIONS), label="section")
    index = data.draw(st.integers(0, len(snapshot[section]) - 1), label="item")
    path = data.draw(st.sampled_from(paths_in(snapshot[section][index])[1:]), label="path")
    parent = snapshot[section][index]
    for step in path[:-1]:
        parent = parent[step]
    if data.draw(st.booleans(), label="delete") and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = data.draw(json_values | st.sampled_from([10**15, -1, 0, math.nan, math.inf, "", []]),
                                     label="value")
    inventory = load_bytes(json.dumps(snapshot).encode())
    if inventory is not None:
        evaluate_everywhere(inventory, strategy)


@FUZZ
@given(body=json_values | arm_json, strategy=st.sampled_from(STRATEGIES))
def test_the_arm_document_readers_raise_nothing_but_input_errors(body: Any, strategy: str):
    try:
        found = read_documents(body, "fuzz.json")
        inventory = inventory_from_documents(found.documents, source="fuzz.json")
    except InputError:
        return
    found.gaps("fuzz.json")
    evaluate_everywhere(inventory, strategy)


resource_fields = st.fixed_dictionaries({}, optional={
    "id": st.sampled_from(WORDS) | scalars, "name": scalars, "type": st.sampled_from(WORDS) | scalars,
    "location": scalars, "kind": scalars, "sku": json_values, "tags": json_values, "properties": json_values})


@FUZZ
@given(resource=resource_fields | json_values)
def test_the_fast_resource_check_agrees_with_the_schema(resource: Any):
    schema = {**_schema()["$defs"]["armResource"], "$defs": _schema()["$defs"]}
    by_schema = jsonschema.Draft202012Validator(schema).is_valid(resource)
    assert (_resource_checker()(resource) is None) == by_schema
