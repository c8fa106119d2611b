"""Snapshot files: an inventory saved as versioned JSON (optionally gzip) and loaded back.

A snapshot is collected once and evaluated offline many times (audit evidence). A directory is
read as one snapshot made of every `*.json` / `*.json.gz` file in it, which keeps large
hand-written estates (the bundled sample, for one) in files per service. Plain ARM and Resource
Graph JSON (list responses, exported query results, single documents) is read too.
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from scanner.atomic import atomic_write_bytes
from scanner.errors import InputError
from scanner.ingest import documents_from_response, inventory_from_documents
from scanner.model import Inventory, ReadGap, Resource

SNAPSHOT_KIND = "bcdr-scan/snapshot"
SNAPSHOT_VERSION = 1


# Sections whose absence means "not collected" rather than "none exist": the checks that read
# them must then say unknown (GEN-001 on locks, zone matching on resource-group tags).
_UNREAD_WHEN_ABSENT = {"locks": "Microsoft.Authorization/locks",
                       "resource_groups": "Microsoft.Resources/resourceGroups"}


def load_snapshot(path: str | Path) -> Inventory:
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.name.endswith((".json", ".json.gz")))
        if not files:
            raise InputError(str(path), None, "directory holds no *.json or *.json.gz snapshot files")
        documents = [_read_file(file) for file in files]
    else:
        documents = [_read_file(path)]
    inventory, present = Inventory(), set()
    for source, document in documents:
        part, sections = _parse_any(document, source)
        inventory.merge(part)
        present |= sections
    missing = [ReadGap("/", data, f"the snapshot has no '{key}' section: {key.replace('_', ' ')} were not collected")
               for key, data in _UNREAD_WHEN_ABSENT.items() if key not in present]
    if missing:
        inventory.gaps = [*inventory.gaps, *missing]
    return inventory


def save_snapshot(inventory: Inventory, path: str | Path) -> None:
    data = json.dumps(snapshot_document(inventory), indent=1, sort_keys=False).encode("utf-8")
    if str(path).endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    atomic_write_bytes(Path(path), data)


def snapshot_document(inventory: Inventory) -> dict[str, Any]:
    collected = inventory.collected_at or datetime.now(UTC)
    return {
        "kind": SNAPSHOT_KIND,
        "version": SNAPSHOT_VERSION,
        "collected_at": collected.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "source": inventory.source,
        "subscriptions": inventory.subscriptions,
        "locations": inventory.locations,
        "resource_groups": inventory.resource_groups,
        "resources": [dict(r.raw) for r in inventory.resources],
        "locks": inventory.locks,
        "gaps": [g.to_json() for g in inventory.gaps],
    }


def _parse_any(document: Any, source: str) -> tuple[Inventory, set[str]]:
    """A bcdr-scan snapshot, or plain ARM / Resource Graph JSON (what `az rest`, `az graph query` or
    Microsoft's REST examples hold); returns the inventory and the sections the file states."""
    if isinstance(document, dict) and (document.get("kind") == SNAPSHOT_KIND or "resources" in document):
        return parse_snapshot(document, source), {key for key in _UNREAD_WHEN_ABSENT if key in document}
    arm_documents = _arm_documents(document)
    if arm_documents is None:
        raise InputError(source, "kind" if isinstance(document, dict) else None,
                         f"expected a bcdr-scan snapshot (kind {SNAPSHOT_KIND!r}) or ARM / Resource Graph JSON "
                         "(a 'value' or 'data' list, or ARM documents with ids)")
    inventory = inventory_from_documents(arm_documents)
    inventory.source = {"format": "arm-json", "file": source}
    # Plain ARM JSON can only show locks and resource groups that exist, not that none do.
    stated = {"locks": inventory.locks, "resource_groups": inventory.resource_groups}
    return inventory, {key for key, found in stated.items() if found}


def _arm_documents(document: Any) -> list[dict[str, Any]] | None:
    if isinstance(document, dict) and isinstance(document.get("responses"), dict):
        document = (document["responses"].get("200") or {}).get("body")  # a REST API example file
    if isinstance(document, list):
        found = documents_from_response({"value": document})
        return found if found and len(found) == len(document) else None
    if isinstance(document, dict) and (isinstance(document.get("value"), list) or "data" in document
                                       or isinstance(document.get("id"), str)):
        return documents_from_response(document)
    return None


def parse_snapshot(document: Any, source: str) -> Inventory:
    if not isinstance(document, dict):
        raise InputError(source, None, "expected a JSON object (a bcdr-scan snapshot)")
    if document.get("kind") != SNAPSHOT_KIND:
        raise InputError(source, "kind", f"expected {SNAPSHOT_KIND!r}, got {document.get('kind')!r}; "
                         "is this a bcdr-scan snapshot?")
    if document.get("version") != SNAPSHOT_VERSION:
        raise InputError(source, "version", f"unsupported snapshot version {document.get('version')!r}; "
                         f"this bcdr-scan reads version {SNAPSHOT_VERSION}")
    error = jsonschema.exceptions.best_match(_validator().iter_errors(document))
    if error is not None:
        raise InputError(source, _field_path(error.absolute_path) or None, error.message)
    return Inventory(
        resources=[Resource(r) for r in document["resources"]],
        subscriptions=document.get("subscriptions", []),
        resource_groups=document.get("resource_groups", []),
        locks=document.get("locks", []),
        locations=document.get("locations", []),
        gaps=[ReadGap(g["scope"], g["data"], g["error"], g.get("status")) for g in document.get("gaps", [])],
        collected_at=_parse_time(document["collected_at"], source),
        source=document.get("source", {}),
    )


def _read_file(path: Path) -> tuple[str, Any]:
    source = str(path)
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise InputError(source, None, f"cannot read snapshot ({getattr(exc, 'strerror', None) or exc})") from None
    try:
        document = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = f"line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else None
        raise InputError(source, where, f"not valid JSON ({getattr(exc, 'msg', exc)})") from None
    return source, document


def _parse_time(value: str, source: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(source, "collected_at", f"expected an ISO 8601 time, got {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _field_path(path: Any) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(resources.files("scanner").joinpath("schemas/snapshot.schema.json").read_text("utf-8"))
    return jsonschema.Draft202012Validator(schema)
