"""Snapshot loading benchmark: one file, the same estate split over a directory of many files, and the
same estate as an Azure PowerShell / PSRule export (children nested under their parents).

Prints the load time of each. Merging a directory must stay linear: the time per resource should not
grow with the number of files.

    python bench/bench_load.py [--resources 20000] [--files 1,100,1000]
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_evaluate import unit  # the same synthetic estate as the evaluation benchmark


def estate(count: int) -> list[dict[str, Any]]:
    import random

    rng = random.Random(7)
    resources: list[dict[str, Any]] = []
    n = 0
    while len(resources) < count:
        resources.extend(unit(rng, f"00000000-0000-4000-8000-{n % 50:012d}", f"rg-data-{n % 40:02d}", n))
        n += 1
    return resources[:count]


def snapshot(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {"kind": "bcdr-scan/snapshot", "version": 1, "collected_at": "2026-11-20T06:00:00Z", "resources": resources,
            "locks": [], "resource_groups": []}


def powershell_export(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Capitalised keys, children nested under their parent (what PSRule's Export-AzRuleData writes)."""
    from scanner.model import parent_id_of

    by_id = {r["id"].lower(): r for r in resources}
    children: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for resource in resources:
        parent = (parent_id_of(resource["id"]) or "").lower()
        if parent in by_id:
            children[parent].append(resource)
    nested = {c["id"].lower() for kids in children.values() for c in kids}

    def convert(resource: dict[str, Any]) -> dict[str, Any]:
        out = {"ResourceId": resource["id"], "Id": resource["id"], "ResourceName": resource["name"],
               "ResourceType": resource["type"], "ResourceGroupName": resource["id"].split("/")[4],
               **{k[:1].upper() + k[1:]: v for k, v in resource.items() if k not in ("id", "type")}}
        kids = children.get(resource["id"].lower())
        if kids:
            out["resources"] = [convert(kid) for kid in kids]
        return out

    return [convert(r) for r in resources if r["id"].lower() not in nested]


def timed_load(path: Path) -> tuple[float, int]:
    from scanner.snapshot import load_snapshot

    gc.collect()
    started = time.perf_counter()
    inventory = load_snapshot(path)
    return time.perf_counter() - started, len(inventory.resources)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=20_000)
    parser.add_argument("--files", default="1,100,1000", help="comma-separated directory sizes to try")
    parser.add_argument("--no-export", action="store_true", help="skip the PowerShell export (older versions)")
    args = parser.parse_args()
    resources = estate(args.resources)
    print(f"{'layout':>24} {'files':>6} {'resources':>10} {'load_s':>8} {'us/resource':>12}")
    with tempfile.TemporaryDirectory() as tmp:
        for files in (int(f) for f in args.files.split(",")):
            folder = Path(tmp) / f"dir{files}"
            folder.mkdir()
            size = -(-len(resources) // files)
            for i in range(files):
                (folder / f"{i:05d}.json").write_text(json.dumps(snapshot(resources[i * size:(i + 1) * size])))
            seconds, loaded = timed_load(folder if files > 1 else next(folder.iterdir()))
            layout = "snapshot file" if files == 1 else "snapshot directory"
            print(f"{layout:>24} {files:>6} {loaded:>10,} {seconds:>8.2f} {seconds / loaded * 1e6:>12.1f}")
        if not args.no_export:
            export = Path(tmp) / "export.json"
            export.write_text(json.dumps(powershell_export(resources)))
            seconds, loaded = timed_load(export)
            print(f"{'PowerShell export':>24} {1:>6} {loaded:>10,} {seconds:>8.2f} {seconds / loaded * 1e6:>12.1f}")


if __name__ == "__main__":
    main()
