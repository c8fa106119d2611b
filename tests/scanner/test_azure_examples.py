"""Every Microsoft REST API example in tests/data/azure-examples loads and evaluates without error."""

import json

import pytest

from scanner.check import Status
from scanner.engine import evaluate
from scanner.ingest import documents_from_response, inventory_from_documents, read_documents
from scanner.policy import parse_policy
from scanner.registry import discover
from tests.helpers import EXAMPLES, SCAN_TIME

EXAMPLE_FILES = sorted(EXAMPLES.glob("*/*.json"))


def test_examples_are_present():
    assert len(EXAMPLE_FILES) >= 20, f"expected Microsoft's examples under {EXAMPLES}"


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
@pytest.mark.parametrize("strategy", ["redeploy", "backup-restore", "warm-spare", "hot-spare"])
def test_example_loads_and_evaluates(path, strategy):
    body = json.loads(path.read_text("utf-8"))["responses"]["200"]["body"]
    found = read_documents(body, path.name)
    documents = found.documents
    rows = body.get("value") or body.get("data") or [body]
    # Rows without an id (Resource Graph summaries, Kusto's follower list) are counted, not read; none vanish.
    assert len(documents) == sum(1 for r in rows if "id" in r), path.name
    assert len(found.skipped) == sum(1 for r in rows if "id" not in r), path.name
    inventory = inventory_from_documents(documents, SCAN_TIME)
    loaded = (len(inventory.resources) + len(inventory.subscriptions) + len(inventory.resource_groups)
              + len(inventory.locks))
    assert loaded == len({d["id"].lower() for d in documents})  # repeated items (Factories_List) count once
    policy = parse_policy({"default_zone": {"name": "z", "strategy": strategy, "rpo": "1h", "rto": "4h"}}, "t")
    scan = evaluate(inventory, policy, discover())
    for outcome in scan.outcomes:
        # A crash inside a check shows up as an unknown "malformed" result: none may happen on real payloads.
        assert "malformed" not in outcome.result.message, (outcome.check.id, outcome.result.message)
        assert outcome.status in set(Status)


def test_example_resources_keep_their_arm_shape():
    body = json.loads((EXAMPLES / "storage/StorageAccountList.json").read_text("utf-8"))["responses"]["200"]["body"]
    inventory = inventory_from_documents(documents_from_response(body), SCAN_TIME)
    first = inventory.resources[0]
    assert first.type_key == "microsoft.storage/storageaccounts"
    assert first.raw == body["value"][0]
    # "eastus2(stage)" in Microsoft's example normalises to a region name.
    assert all(r.location is None or "(" not in r.location for r in inventory.resources)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_example_files_load_as_snapshots_with_their_next_pages_as_gaps(path):
    from scanner.snapshot import load_snapshot

    body = json.loads(path.read_text("utf-8"))["responses"]["200"]["body"]
    loaded = load_snapshot(path)
    pages = [g for g in loaded.gaps if "holds one page of a longer list" in g.error]
    more = [k for k in ("nextLink", "$skipToken") if isinstance(body.get(k), str) and body[k]]
    assert len(pages) == len(more), path.name

