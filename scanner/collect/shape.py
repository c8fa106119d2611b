"""What a collected document must look like before it enters the inventory, and what is done
to it on the way in.

Every document answers a question (this subscription's vaults, that server's databases, this
account's blob service): it is kept only when it has a valid id inside what was asked for, of
the type asked for, seen once in its list, in a shape the snapshot schema accepts. Anything else
is *dropped* and counted by reason; the collector records a gap for what was asked, because the
dropped document may have been the one that mattered. Kept documents are scrubbed of the
credential's token and anything shaped like a JWT (a server may echo the bearer token into a
name or a tag), keys included.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

from scanner.collect.auth import redact
from scanner.collect.bounds import MalformedPayload
from scanner.model import type_from_id
from scanner.snapshot import item_problem

# Drop reasons, as counted in the inventory's `source.dropped_documents`.
MALFORMED = "malformed"  # no valid id, a field of the wrong JSON type, nesting too deep, NaN/Infinity
FOREIGN = "foreign_scope"  # an id outside the subscription or parent resource asked for
WRONG_TYPE = "wrong_type"
DUPLICATE = "duplicate_id"
REASONS = (MALFORMED, FOREIGN, WRONG_TYPE, DUPLICATE)
_DESCRIBED = {MALFORMED: "malformed or without a valid id", FOREIGN: "outside the scope asked for",
              WRONG_TYPE: "of another type", DUPLICATE: "repeating an id already listed"}

# ARM documents nest a dozen levels at most; far deeper is a hostile answer (and would exhaust
# Python's recursion further down: snapshot writing, checks).
MAX_DEPTH = 64
RESOURCE_ID = re.compile(r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/[^/]+/[^/]+/[^/]+", re.IGNORECASE)
# The top-level fields of an ARM document and the JSON types the snapshot schema allows them.
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "name": (str,), "type": (str,), "location": (str, type(None)), "kind": (str, type(None)),
    "sku": (dict, type(None)), "tags": (dict, type(None)), "properties": (dict, type(None)),
}


def scrub(doc: Mapping[str, Any], secrets: tuple[str, ...]) -> tuple[dict[str, Any], int]:
    """A copy of `doc` with every string (keys too) scrubbed, and how many strings changed;
    MalformedPayload when it nests deeper than MAX_DEPTH or holds a number JSON cannot carry
    (NaN, Infinity)."""
    changed = 0

    def text(value: str) -> str:
        nonlocal changed
        scrubbed = redact(value, secrets)
        changed += scrubbed != value
        return scrubbed

    def copy(value: Any, depth: int) -> Any:
        if isinstance(value, str):
            return text(value)
        if isinstance(value, float) and not math.isfinite(value):
            raise MalformedPayload("a number JSON cannot carry (NaN or Infinity)")
        if isinstance(value, Mapping | list):
            if depth >= MAX_DEPTH:
                raise MalformedPayload(f"a document nested deeper than {MAX_DEPTH} levels")
            if isinstance(value, list):
                return [copy(v, depth + 1) for v in value]
            return {text(str(k)): copy(v, depth + 1) for k, v in value.items()}
        return value

    return copy(doc, 0), changed


def resource_problem(doc: Any, expected_type: str, scope: str) -> str | None:
    """Why a resource document listed or read under `scope` (a subscription or parent resource id)
    for `expected_type` cannot be kept, or None."""
    if not isinstance(doc, dict) or not isinstance(doc.get("id"), str) or not RESOURCE_ID.match(doc["id"]):
        return MALFORMED
    if any(key in doc and not isinstance(doc[key], kinds) for key, kinds in _FIELD_TYPES.items()):
        return MALFORMED
    if not doc["id"].lower().startswith(scope.lower().rstrip("/") + "/"):
        return FOREIGN
    if type_of(doc).lower() != expected_type.lower():
        return WRONG_TYPE
    return None


def id_problem(doc: Any, prefix: str, pattern: re.Pattern[str] | None = None) -> str | None:
    """For documents that are not resources (resource groups, locks, locations, subscriptions):
    an id under `prefix` (matching `pattern` when given)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
        return MALFORMED
    if pattern is not None and not pattern.match(doc["id"]):
        return MALFORMED
    return None if doc["id"].lower().startswith(prefix.lower()) else FOREIGN


def unstorable(doc: Any, section: str) -> str | None:
    """MALFORMED for a document of a snapshot `section` (subscriptions, locations, resource groups,
    locks) that the snapshot schema refuses (a `tags` list, a `displayName` object): a snapshot of
    what was kept must load back."""
    return MALFORMED if item_problem(section, doc) else None


def type_of(doc: Mapping[str, Any]) -> str:
    value = doc.get("type")
    return str(value) if isinstance(value, str) and value else type_from_id(str(doc.get("id", "")))


def describe_drops(counts: Mapping[str, int], what: str) -> str:
    total = sum(counts.values())
    details = ", ".join(f"{counts[r]} {_DESCRIBED[r]}" for r in REASONS if counts.get(r))
    return f"malformed payload: {total} document(s) of {what} dropped ({details})"


def empty_counts() -> Counter[str]:
    return Counter({reason: 0 for reason in REASONS})
