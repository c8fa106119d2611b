"""Verdicts judged in the zone the policy assigns (estate-wide checks look at zones, not one zone)."""

from __future__ import annotations

from typing import Any

from scanner.check import Check, EvaluationContext, Result
from scanner.model import Inventory
from scanner.policy import Policy, parse_policy
from tests.helpers import SCAN_TIME

PRIMARY_SUB = "6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e02"
OTHER_SUB = "6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e03"


def policy(*zones: dict[str, Any], require_classification: bool = False) -> Policy:
    document = {"zones": list(zones), "require_classification": require_classification,
                "default_zone": {"name": "unclassified", "strategy": "backup-restore", "rpo": "24h", "rto": "24h"}}
    return parse_policy(document, "<test>")


def zone_spec(name: str, strategy: str, sub: str = PRIMARY_SUB, **extra: Any) -> dict[str, Any]:
    return {"name": name, "strategy": strategy, "rpo": "1h", "rto": "4h", "match": {"subscriptions": [sub]},
            **extra}


def verdict(check: Check, document: dict[str, Any], the_policy: Policy, inv: Inventory) -> Result:
    resource = inv.get(document["id"])
    assert resource is not None, "the judged document must be in the inventory"
    zone = the_policy.zone_for(resource, inv)
    return check.evaluate(resource, EvaluationContext(inv, zone, the_policy, SCAN_TIME))
