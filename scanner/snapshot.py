"""Snapshot files: an inventory saved as versioned JSON (optionally gzip) and loaded back.

A snapshot is collected once and evaluated offline many times (audit evidence). A directory is
read as one snapshot made of every `*.json` / `*.json.gz` file in it, which keeps large
hand-written estates (the bundled sample, for one) in files per service. Plain ARM and Resource
Graph JSON, Azure CLI output and Azure PowerShell / PSRule exports are read too (scanner/ingest.py).

Every file is untrusted: only regular files are read (symlinks are resolved and their target
checked), decompressed data is bounded (`BCDR_SCAN_MAX_SNAPSHOT_BYTES`, 1 GiB by default, for the
whole snapshot) and so is JSON nesting (`MAX_DEPTH`). Whatever is wrong ends in one InputError
naming the file and, where there is one, the field.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import stat
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import orjson

from scanner.atomic import atomic_write_bytes
from scanner.child_lists import unread_child_lists
from scanner.errors import InputError, one_line, shown
from scanner.ingest import inventory_from_documents, looks_like_arm_json, read_documents
from scanner.jsonwrite import indented_json
from scanner.model import Inventory, ReadGap, Resource
from scanner.shards import check_duplicates, shard_coverage

SNAPSHOT_KIND = "bcdr-scan/snapshot"
SNAPSHOT_VERSION = 1

# Decompressed bytes one load may read (a file, or every file of a directory together): a 4 MB gzip
# bomb must not expand to 4 GiB in memory. Raise it with the environment variable for larger estates
# (100,000 resources are about 45 MB of JSON).
DEFAULT_MAX_BYTES = 1 << 30
MAX_BYTES_ENV = "BCDR_SCAN_MAX_SNAPSHOT_BYTES"
# Nested arrays and objects, counted from the top of a file. ARM documents are shallow (a snapshot
# resource's deepest properties sit at about 10 levels; PSRule's nested exports add 2 per child level).
MAX_DEPTH = 64
_CHUNK = 1 << 20
_BOMB_RATIO, _BOMB_FLOOR = 500, 64 << 20
_GZIP_MAGIC = b"\x1f\x8b"
# Every digit as 0, every other byte as a space: 19 zeros in a row are 19 digits in a row.
_DIGITS_ONLY = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x20 for byte in range(256))
_WIDE_INTEGER = b"0" * 19
_SIZE = re.compile(r"^\s*(\d+)\s*([kmgt]?)(i?b)?\s*$", re.IGNORECASE)

# Sections whose absence means "not collected" rather than "none exist": the checks that read
# them must then say unknown (GEN-001 on locks, zone matching on resource-group tags).
_UNREAD_WHEN_ABSENT = {"locks": "Microsoft.Authorization/locks",
                       "resource_groups": "Microsoft.Resources/resourceGroups"}


def load_snapshot(path: str | Path, *, max_bytes: int | None = None) -> Inventory:
    """A snapshot file or directory as one inventory. `max_bytes` bounds the decompressed bytes read
    (default: $BCDR_SCAN_MAX_SNAPSHOT_BYTES, else 1 GiB)."""
    budget = _Budget(max_bytes if max_bytes is not None else max_bytes_from_env())
    parts: list[Inventory] = []
    exports: list[tuple[str, Inventory]] = []  # the files that are not bcdr-scan snapshots
    present: set[str] = set()
    files = _snapshot_files(Path(path))
    for file in files:
        part, sections, is_export = _parse_any(_read_file(file, budget), str(file))
        parts.append(part)
        present |= sections
        if is_export:
            exports.append((str(file), part))
    shards = list(zip((str(f) for f in files), parts, strict=True))
    check_duplicates(shards)  # one id, one document: within a file and across a directory's files
    inventory = Inventory()
    inventory.merge_all(parts)  # one pass: linear in files and documents
    if coverage := shard_coverage(shards):
        inventory.source = {**inventory.source, "shards": coverage}
    missing = [ReadGap("/", data, f"the snapshot has no '{key}' section: {key.replace('_', ' ')} were not collected")
               for key, data in _UNREAD_WHEN_ABSENT.items() if key not in present]
    missing += unread_child_lists(inventory, _export_origin(inventory, exports))
    if missing:
        inventory.gaps = [*inventory.gaps, *missing]
    return inventory


def _export_origin(inventory: Inventory, exports: list[tuple[str, Inventory]]) -> dict[str, str]:
    """The file each resource read from an export came from (the document the merge kept)."""
    return {resource.key: file for file, part in exports for resource in part.resources
            if inventory.get(resource.key) is resource}


def max_bytes_from_env() -> int:
    raw = os.environ.get(MAX_BYTES_ENV)
    if raw is None or not raw.strip():
        return DEFAULT_MAX_BYTES
    match = _SIZE.match(raw)
    if not match or int(match.group(1)) == 0:
        raise InputError(MAX_BYTES_ENV, None, f"expected a size in bytes such as 2147483648 or 2G, got {shown(raw)}")
    return int(match.group(1)) << (10 * " kmgt".index(match.group(2).lower() or " "))


def snapshot_json(inventory: Inventory) -> bytes:
    """The snapshot as indented JSON, ASCII: by orjson where it writes what json.dumps would (the standard
    library's indented writer is pure Python: a fifth of a 1,000-subscription collection's CPU)."""
    return indented_json(snapshot_document(inventory), _not_json)


def save_snapshot(inventory: Inventory, path: str | Path) -> None:
    """`snapshot_json`, gzip-compressed at gzip's default level 6 where the name ends in .gz (level 9 took
    2.6 times as long for a file 7% smaller: a 20,000-resource snapshot, 0.07 against 0.18 s)."""
    data = snapshot_json(inventory)
    if str(path).endswith(".gz"):
        data = gzip.compress(data, compresslevel=6, mtime=0)
    atomic_write_bytes(Path(path), data)


def _not_json(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


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


# --- what a file holds ---------------------------------------------------------------------------

def _parse_any(document: Any, source: str) -> tuple[Inventory, set[str], bool]:
    """A bcdr-scan snapshot, or ARM / Resource Graph / Azure CLI / Azure PowerShell JSON; returns the
    inventory, the sections the file states and whether it is an export (not a snapshot)."""
    if _is_snapshot(document):
        return parse_snapshot(document, source), {key for key in _UNREAD_WHEN_ABSENT if key in document}, False
    if not looks_like_arm_json(document):
        raise InputError(source, "kind" if isinstance(document, dict) else None,
                         f"expected a bcdr-scan snapshot (kind {SNAPSHOT_KIND!r}) or ARM / Resource Graph JSON "
                         "(a 'value' or 'data' list, a list of ARM documents, or one ARM document with an id)")
    found = read_documents(document, source)
    inventory = inventory_from_documents(found.documents, source=source)
    inventory.gaps = found.gaps(source)
    inventory.source = {"format": "+".join(sorted(found.shapes)) or "arm", "file": source}
    # Plain ARM JSON can only show locks and resource groups that exist, not that none do.
    stated = {"locks": inventory.locks, "resource_groups": inventory.resource_groups}
    return inventory, {key for key, found_any in stated.items() if found_any}, True


def _is_snapshot(document: Any) -> bool:
    """Decided by `kind`: an ARM document also has `kind` (StorageV2) and may have `resources` (nested
    children). An object with neither an id nor ARM's list keys, but with a snapshot's keys, is taken
    for a snapshot so that a missing or wrong `kind` is named as such."""
    if not isinstance(document, dict):
        return False
    kind = document.get("kind")
    if kind == SNAPSHOT_KIND or (isinstance(kind, str) and kind.startswith("bcdr-scan/")):
        return True
    return not looks_like_arm_json(document) and bool({"resources", "collected_at", "version"} & set(document))


def parse_snapshot(document: Any, source: str) -> Inventory:
    if not isinstance(document, dict):
        raise InputError(source, None, "expected a JSON object (a bcdr-scan snapshot)")
    if document.get("kind") != SNAPSHOT_KIND:
        raise InputError(source, "kind", f"expected {SNAPSHOT_KIND!r}, got {shown(document.get('kind'))}; "
                         "is this a bcdr-scan snapshot?")
    if document.get("version") != SNAPSHOT_VERSION:
        raise InputError(source, "version", f"unsupported snapshot version {shown(document.get('version'))}; "
                         f"this bcdr-scan reads version {SNAPSHOT_VERSION}")
    _validate(document, source)
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


def _validate(document: dict[str, Any], source: str) -> None:
    """The snapshot schema. Resources (nearly all of a snapshot) are checked against the schema's
    `armResource` definition by `_resource_checker`, about 50 times faster than jsonschema's generic
    validator; everything else by jsonschema."""
    check_resource = _resource_checker()
    resources_listed = isinstance(document.get("resources"), list)
    envelope = {**document, "resources": []} if check_resource and resources_listed else document
    error = jsonschema.exceptions.best_match(_validator().iter_errors(envelope))
    if error is not None:
        raise InputError(source, _field_path(error.absolute_path) or None, one_line(error.message))
    if not check_resource or not resources_listed:
        return
    for index, resource in enumerate(document["resources"]):
        problem = check_resource(resource)
        if problem is not None:
            where, message = problem
            raise InputError(source, f"resources[{index}]{'.' + where if where else ''}", message)


def _parse_time(value: str, source: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        parsed.astimezone(UTC)  # 0001-01-01T00:00:00+01:00 exists, but not in UTC
    except (ValueError, OverflowError):
        raise InputError(source, "collected_at", f"expected an ISO 8601 time, got {shown(value)}") from None
    return parsed


# --- reading a file: regular files only, bounded size and depth -------------------------------------

class _Budget:
    """The decompressed bytes a load may still read, and what is being read (for messages)."""

    def __init__(self, limit: int, what: str = "snapshot") -> None:
        self.limit = limit
        self.what = what
        self.used = 0

    def take(self, count: int, source: str) -> None:
        self.used += count
        if self.used > self.limit:
            raise InputError(source, None, f"the {self.what} holds more than {_size(self.limit)} of JSON (after "
                             f"decompression); raise {MAX_BYTES_ENV} to read it")


def _snapshot_files(path: Path) -> list[Path]:
    try:
        is_dir = path.is_dir()
    except OSError as exc:
        raise InputError(str(path), None, f"cannot read snapshot ({exc.strerror or exc})") from None
    if not is_dir:
        return [path]
    try:
        files = sorted(p for p in path.iterdir() if p.name.endswith((".json", ".json.gz")))
    except OSError as exc:
        raise InputError(str(path), None, f"cannot list snapshot directory ({exc.strerror or exc})") from None
    if not files:
        raise InputError(str(path), None, "directory holds no *.json or *.json.gz snapshot files")
    return files


def read_json_file(path: str | Path, what: str) -> Any:
    """One JSON file (`what`: "report", ...) read as a snapshot file is: a regular file only, gzip or
    not, at most $BCDR_SCAN_MAX_SNAPSHOT_BYTES (1 GiB) decompressed, nesting bounded; an InputError
    naming the file otherwise."""
    return _read_file(Path(path), _Budget(max_bytes_from_env(), what))


def _read_file(path: Path, budget: _Budget) -> Any:
    source = str(path)
    raw = _read_bytes(path, budget)
    document = _parse_fast(raw)
    if document is _ABSENT:
        document = _parse_json(_decode(raw, source), source)
    del raw  # the bytes (45 MB at 100,000 resources) are not needed beside the parsed tree
    _check_depth(document, source)
    return document


def _parse_fast(raw: bytes) -> Any:
    """The document as orjson reads it from the bytes (a third of json.loads' time, and no decoded copy of
    the text), or `_ABSENT` for whatever orjson refuses or reads differently, left to json.loads (which
    names the problem as before): a byte-order mark or UTF-16/32, NaN and Infinity, lone surrogates,
    nesting beyond 1,024 levels, invalid JSON or UTF-8, and integers beyond 64 bits (orjson makes them
    floats; a run of 19 digits is where they start)."""
    if raw.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:4]:
        return _ABSENT
    if _WIDE_INTEGER in raw.translate(_DIGITS_ONLY):
        return _ABSENT
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return _ABSENT


def _read_bytes(path: Path, budget: _Budget) -> bytes:
    source = str(path)
    try:
        _require_regular(os.stat(path), source, budget.what)  # follows symlinks: the target is what is read
        # O_NONBLOCK: should the path turn into a FIFO after the check, opening it must not hang.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            _require_regular(info, source, budget.what)
            if info.st_size == 0:
                raise InputError(source, None, "the file is empty (0 bytes)")
            if handle.read(2) == _GZIP_MAGIC:
                handle.seek(0)
                return _read_gzip(handle, budget, source)
            budget.take(info.st_size, source)  # fail before reading a file that cannot fit
            handle.seek(0)
            return _read_bounded(handle.read, _Budget(info.st_size, budget.what), source)
    except OSError as exc:
        raise InputError(source, None, f"cannot read {budget.what} ({exc.strerror or exc})") from None


def _require_regular(info: os.stat_result, source: str, what: str = "snapshot") -> None:
    if stat.S_ISREG(info.st_mode):
        return
    kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a device"),
             (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))
    kind = next((name for test, name in kinds if test(info.st_mode)), "not a regular file")
    raise InputError(source, None, f"cannot read {what}: the path is {kind}, not a regular file")


def _read_gzip(handle: Any, budget: _Budget, source: str) -> bytes:
    try:
        with gzip.GzipFile(fileobj=handle, mode="rb") as stream:
            data = _read_bounded(stream.read, budget, source, compressed=handle.tell)
    except EOFError:
        raise InputError(source, None, f"cannot read {budget.what}: the gzip data is truncated (the file ends "
                                       "before the compressed stream does)") from None
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise InputError(source, None, f"cannot read {budget.what}: corrupt gzip data ({exc})") from None
    if not data:
        raise InputError(source, None, "the gzip data decompresses to nothing (0 bytes)")
    return data


def _read_bounded(read: Callable[[int], bytes], budget: _Budget, source: str,
                  compressed: Callable[[], int] | None = None) -> bytes:
    """Read in chunks, stopping as soon as the budget is exceeded: never more than one chunk past it.

    `compressed` tells how much of a gzip file was consumed (a little ahead: the reader buffers): a
    snapshot compresses about 30-fold, one resource repeated 20,000 times 200-fold; past 500-fold
    (deflate's ceiling is about 1000) the data is a bomb, refused once 64 MiB are out instead of
    filling the whole budget first.
    """
    chunks, total = [], 0
    try:
        while chunk := read(_CHUNK):
            budget.take(len(chunk), source)
            chunks.append(chunk)
            total += len(chunk)
            if compressed and total >= _BOMB_FLOOR and total > _BOMB_RATIO * max(compressed(), 1):
                raise InputError(source, None, f"the gzip data expands more than {_BOMB_RATIO}-fold: a "
                                               "decompression bomb, not a snapshot")
        return b"".join(chunks)
    except MemoryError:
        chunks.clear()
        raise InputError(source, None, f"not enough memory to read {_size(total)} of it; the machine cannot "
                                       "hold this snapshot") from None


def _decode(raw: bytes, source: str) -> str:
    """UTF-8 (with or without a byte-order mark), or UTF-16/32 as Windows PowerShell writes them."""
    encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else json.detect_encoding(raw)
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        byte = raw[exc.start : exc.start + 1].hex() or "(end of file)"
        raise InputError(source, f"line {line}", f"not {encoding.upper()} text: byte 0x{byte} at offset "
                         f"{exc.start} cannot be decoded; save the file as UTF-8") from None
    if not text or text.isspace():  # (not strip(): that would copy the whole text)
        raise InputError(source, None, "the file holds no JSON (only whitespace)")
    return text


def _parse_json(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(source, f"line {exc.lineno}", f"not valid JSON ({exc.msg}, column {exc.colno})") from None
    except RecursionError:
        raise InputError(source, None, f"JSON nested deeper than {MAX_DEPTH} levels") from None
    except ValueError:  # the only other ValueError json raises: an integer of more than 4,300 digits
        raise InputError(source, None, "not readable JSON: a number has more than 4,300 digits") from None


def _check_depth(document: Any, source: str) -> None:
    """Level by level (no recursion: the input chooses the depth); the path is looked up only on failure."""
    level: list[Any] = [document] if type(document) is dict or type(document) is list else []
    depth = 0
    while level:
        depth += 1
        if depth > MAX_DEPTH:
            raise InputError(source, _path_deeper_than(document, MAX_DEPTH),
                             f"JSON nested deeper than {MAX_DEPTH} levels (ARM documents are far shallower)")
        # One comprehension per level (not a generator per node): the level holds only dicts and lists.
        level = [v for node in level for v in (node.values() if type(node) is dict else node)
                 if type(v) is dict or type(v) is list]


def _path_deeper_than(document: Any, limit: int) -> str | None:
    stack: list[tuple[Any, str, int]] = [(document, "", 1)]
    while stack:
        node, path, depth = stack.pop()
        if depth > limit:
            return one_line(path) or None
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            if isinstance(value, dict | list):
                step = f"[{key}]" if isinstance(key, int) else (f".{key}" if path else str(key))
                stack.append((value, path + step, depth + 1))
    return None


# --- schema --------------------------------------------------------------------------------------------

def _field_path(path: Any) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


@cache
def _schema() -> dict[str, Any]:
    return json.loads(resources.files("scanner").joinpath("schemas/snapshot.schema.json").read_text("utf-8"))


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(_schema())


def item_problem(section: str, item: Any) -> str | None:
    """Why the snapshot schema refuses `item` as one entry of `section` ("subscriptions", "locations",
    "resource_groups", "locks"), or None. Live collection asks before it keeps a document, so that
    the snapshot it writes always loads back."""
    error = jsonschema.exceptions.best_match(_item_validator(section).iter_errors(item))
    return None if error is None else one_line(error.message)


@cache
def _item_validator(section: str) -> jsonschema.Draft202012Validator:
    schema = _schema()
    return jsonschema.Draft202012Validator({"$defs": schema["$defs"], **schema["properties"][section]["items"]})


_JSON_TYPES: dict[str, type] = {"string": str, "object": dict, "null": type(None), "array": list}
_ABSENT = object()


@cache
def _resource_checker() -> Callable[[Any], tuple[str, str] | None] | None:
    """A checker for `$defs.armResource`, read from the schema itself so the two cannot drift apart.

    It knows the keywords that definition uses (type, required, properties with type and pattern);
    should the schema ever use another one, None is returned and jsonschema checks resources too.
    """
    definition = _schema()["$defs"]["armResource"]
    fields = definition.get("properties", {})
    known = set(definition) <= {"type", "required", "properties", "description"} and definition.get("type") == "object"
    known = known and all(set(spec) <= {"type", "pattern", "description"} for spec in fields.values())
    types = {name: [spec["type"]] if isinstance(spec.get("type"), str) else spec.get("type", []) for name, spec in
             fields.items()}
    if not known or not all(t in _JSON_TYPES for ts in types.values() for t in ts):
        return None
    required = list(definition.get("required", []))
    # Per field: the Python types JSON's allow (None: any), and the compiled pattern. A pattern anchored
    # with ^ is tried at the start only (re.search would try every position and fail at each).
    rules = [(name, tuple(_JSON_TYPES[t] for t in allowed) or None, allowed, _pattern(fields[name].get("pattern")))
             for name, allowed in types.items()]

    def check(resource: Any) -> tuple[str, str] | None:
        if not isinstance(resource, dict):
            return "", f"{shown(resource)} is not of type 'object'"
        for name in required:
            if name not in resource:
                return "", f"{name!r} is a required property"
        for name, python_types, allowed, pattern in rules:
            value = resource.get(name, _ABSENT)
            if value is _ABSENT:
                continue
            if python_types and not isinstance(value, python_types):
                expected = allowed[0] if len(allowed) == 1 else allowed
                return name, f"{shown(value)} is not of type {expected!r}"
            if pattern is not None and isinstance(value, str) and not pattern(value):
                return name, f"{shown(value)} does not match {fields[name]['pattern']!r}"
        return None

    return check


def _pattern(pattern: str | None) -> Callable[[str], object] | None:
    """A JSON-schema pattern as a test: found anywhere in the text, as jsonschema searches for it."""
    if pattern is None:
        return None
    compiled = re.compile(pattern)
    return compiled.match if pattern.startswith("^") and "|" not in pattern else compiled.search


def _size(count: int) -> str:
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if count >= 1 << shift and count % (1 << shift) == 0:
            return f"{count >> shift} {unit}"
    return f"{count:,} bytes"



