"""Sharded collections: the snapshots of several `bcdr-scan collect` runs (one per management
group or subscription list, e.g. parallel CI jobs) in one directory, evaluated as one estate.

Merging must lose nothing and hide nothing: a document two shards both hold must be the same
document (shards that overlap and disagree were collected at different times or from different
estates, and which one is right cannot be told), and the report names each shard's scope and
read errors, so that a shard that failed is not mistaken for a part of the estate that is fine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from scanner.errors import InputError, one_line
from scanner.model import Inventory


def check_overlaps(parts: Sequence[tuple[str, Inventory]]) -> None:
    """Refuse (one line naming both files and the id) a document two files hold differently."""
    if len(parts) < 2:
        return  # one file cannot disagree with itself
    seen: dict[str, tuple[str, Mapping[str, Any]]] = {}
    for source, part in parts:
        for doc in _documents(part):
            key = str(doc.get("id") or "").lower()
            if not key:
                continue
            first = seen.setdefault(key, (source, doc))
            if first[0] != source and first[1] != doc:
                raise InputError(source, f"id {one_line(str(doc['id']), 400)}",
                                 f"disagrees with {one_line(first[0], 400)} on this document: overlapping shards must "
                                 "hold the same document (collect them again, or leave one out)")


def _documents(part: Inventory) -> Iterable[Mapping[str, Any]]:
    yield from (r.raw for r in part.resources)
    yield from part.resource_groups
    yield from part.locks


def shard_coverage(parts: Sequence[tuple[str, Inventory]]) -> list[dict[str, Any]]:
    """Per collected snapshot file of a directory: its scope, when it was read, how, and its read
    errors (empty unless the directory holds more than one `collect` snapshot)."""
    collected = [(source, part) for source, part in parts if part.source.get("mode") == "live"]
    if len(collected) < 2:
        return []
    return [{"file": Path(source).name,
             "collected_at": part.collected_at.isoformat().replace("+00:00", "Z") if part.collected_at else None,
             "subscriptions": part.source.get("scopes", {}).get("scanned_subscriptions", []),
             "management_groups": part.source.get("scopes", {}).get("management_groups", {}),
             "discovery": part.source.get("discovery", {}).get("mode", "arm"),
             "resources": len(part.resources),
             "read_errors": [{"scope": g.scope, "data": g.data} for g in part.gaps]}
            for source, part in collected]
