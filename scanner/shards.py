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


def check_duplicates(parts: Sequence[tuple[str, Inventory]]) -> None:
    """Refuse, in one line naming the file(s) and the id, a document held twice with different content:
    in one file, or in two (overlapping shards). Ids compare case-insensitively, as ARM's do; identical
    copies (a list response that repeats an item, shards that agree) are one document, merged silently.
    One pass over the documents: linear however many files a directory holds."""
    if _all_ids_distinct(parts):  # the common case, told apart in a set: 100,000 documents in 10 ms
        return
    seen: dict[str, tuple[str, Mapping[str, Any]]] = {}
    for source, part in parts:
        for key, doc in _documents(part):
            if not key:
                continue
            first_source, first = seen.setdefault(key, (source, doc))
            if first is doc or _same_document(first, doc):
                continue
            where = f"id {one_line(str(doc['id']), 400)}"
            if first_source == source:
                raise InputError(source, where, "given twice with different content: which one holds cannot be "
                                 "told (keep one, or export the estate again)")
            raise InputError(source, where, f"disagrees with {one_line(first_source, 400)} on this document: "
                             "overlapping shards must hold the same document (collect them again, or leave one out)")


def _all_ids_distinct(parts: Sequence[tuple[str, Inventory]]) -> bool:
    keys = [r.key for _, part in parts for r in part.resources]
    keys += [_key_of(doc) for _, part in parts for doc in (*part.resource_groups, *part.locks)]
    distinct = set(keys)
    distinct.discard("")
    return len(distinct) == len(keys) - keys.count("")


def _same_document(first: Mapping[str, Any], other: Mapping[str, Any]) -> bool:
    """Equal, or equal but for the case of the id and type (ARM compares both case-insensitively)."""
    if first == other:
        return True
    return _case_folded(first) == _case_folded(other)


def _case_folded(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {**doc, **{k: doc[k].lower() for k in ("id", "type") if isinstance(doc.get(k), str)}}


def _documents(part: Inventory) -> Iterable[tuple[str, Mapping[str, Any]]]:
    """Each document with its lower-cased id ("" without one); a resource has worked its out already."""
    yield from ((r.key, r.raw) for r in part.resources)
    for doc in (*part.resource_groups, *part.locks):
        yield _key_of(doc), doc


def _key_of(doc: Mapping[str, Any]) -> str:
    return str(doc.get("id") or "").lower()


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
