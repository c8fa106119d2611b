"""Microsoft's REST examples for the analytics services load and evaluate without error."""

import json

from scanner.check import Status
from scanner.engine import evaluate
from scanner.model import Inventory, Resource
from scanner.policy import default_policy
from scanner.registry import discover
from tests.helpers import EXAMPLES, SCAN_TIME

FOLDERS = ("datafactory", "synapse", "databricks", "machinelearningservices")


def example_documents() -> list[dict]:
    documents = []
    for folder in FOLDERS:
        for path in sorted((EXAMPLES / folder).glob("*.json")):
            body = json.loads(path.read_text("utf-8"))["responses"]["200"]["body"]
            documents += body.get("value", [body])
    return documents


def test_every_example_body_evaluates_without_error():
    documents = example_documents()
    assert {d["type"] for d in documents} == {
        "Microsoft.DataFactory/factories", "Microsoft.Synapse/workspaces", "Microsoft.Databricks/workspaces",
        "Microsoft.MachineLearningServices/workspaces"}
    inventory = Inventory(resources=[Resource(d) for d in documents], collected_at=SCAN_TIME)
    scan = evaluate(inventory, default_policy(), discover(include_plugins=False))
    judged = {(o.check.id, o.resource.key) for o in scan.outcomes}
    for document in documents:
        assert ("GEN-002", document["id"].lower()) in judged
    # The engine turns an exception into "malformed or unexpected data": none may occur.
    assert not [o.result.message for o in scan.outcomes if "malformed" in o.result.message]


def test_example_verdicts_follow_the_payloads():
    inventory = Inventory(resources=[Resource(d) for d in example_documents()], collected_at=SCAN_TIME)
    scan = evaluate(inventory, default_policy(), discover(include_plugins=False))
    by_check: dict[str, dict[str, Status]] = {}
    for outcome in scan.outcomes:
        by_check.setdefault(outcome.check.id, {})[outcome.resource.name] = outcome.status
    # Only exampleFactoryName is connected to Azure DevOps; the list repeats its items.
    assert by_check["ADF-001"]["exampleFactoryName"] == Status.PASS
    assert by_check["ADF-001"]["df-dogfood-yanzhang-we"] == Status.FAIL
    assert set(by_check["SYN-001"].values()) == {Status.FAIL}
    # The ML workspaces link storage accounts the examples do not contain.
    assert set(by_check["ML-001"].values()) == {Status.UNKNOWN}
    # The built-in default zone is backup-restore: no standby is expected.
    assert set(by_check["GEN-002"].values()) == {Status.NOT_APPLICABLE}
    assert set(by_check["GEN-003"].values()) == {Status.NOT_APPLICABLE}
