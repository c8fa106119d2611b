"""Builders for tests: realistic ARM documents, small inventories, zones and one-check verdicts."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scanner.check import Check, EvaluationContext, Result
from scanner.model import Inventory, ReadGap, Resource
from scanner.policy import Policy, Zone, parse_policy

REPO = Path(__file__).resolve().parents[1]
# Vendored test data (origin and licence in each folder's README.md): the suite needs nothing
# outside the repository.
TEST_DATA = REPO / "tests" / "data"
EXAMPLES = TEST_DATA / "azure-examples"
SUB = "00000000-0000-0000-0000-0000000000a1"
SCAN_TIME = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def example_body(relative: str) -> Any:
    """The ARM response body of one of Microsoft's REST API examples (tests/data/azure-examples)."""
    document = json.loads((EXAMPLES / relative).read_text("utf-8"))
    return copy.deepcopy(document["responses"]["200"]["body"])


def override(mapping: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Set each key of `values` in `mapping`; a value of None removes the key (a field ARM left out)."""
    for key, value in values.items():
        if value is None:
            mapping.pop(key, None)
        else:
            mapping[key] = value
    return mapping


def arm_id(resource_type: str, name: str, rg: str = "rg-data", sub: str = SUB) -> str:
    namespace, *types = resource_type.split("/")
    names = name.split("/")
    path = "/".join(f"{t}/{n}" for t, n in zip(types, names, strict=True))
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{namespace}/{path}"


def arm(resource_type: str, name: str, *, rg: str = "rg-data", sub: str = SUB, location: str = "westeurope",
        **fields: Any) -> dict[str, Any]:
    """An ARM document of `resource_type`; child names are slash-separated (`server/db`)."""
    return {"id": arm_id(resource_type, name, rg, sub), "name": name.split("/")[-1], "type": resource_type,
            "location": location, **fields}


def zone(strategy: str = "backup-restore", *, rpo: str = "24h", rto: str = "24h",
         requirements: dict[str, Any] | None = None, **extra: Any) -> Zone:
    spec: dict[str, Any] = {"name": f"lz-{strategy}", "strategy": strategy, "rpo": rpo, "rto": rto, **extra}
    if requirements:
        spec["requirements"] = requirements
    return parse_policy({"default_zone": spec}, "<test>").default_zone


def inventory(*documents: dict[str, Any], gaps: list[ReadGap] | None = None, **fields: Any) -> Inventory:
    return Inventory(resources=[Resource(d) for d in documents], gaps=gaps or [], collected_at=SCAN_TIME,
                     **fields)


def judge(check: Check, document: dict[str, Any], the_zone: Zone | None = None,
          inv: Inventory | None = None) -> Result:
    """The check's verdict on `document` (which must be in `inv` when given) within `the_zone`."""
    the_zone = the_zone or zone()
    inv = inv or inventory(document)
    policy = Policy(zones=(), default_zone=the_zone)
    resource = inv.get(document["id"]) or Resource(document)
    return check.evaluate(resource, EvaluationContext(inv, the_zone, policy, SCAN_TIME))
