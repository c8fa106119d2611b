"""Tenant-scale benchmark: `bcdr-scan collect --management-group` over 1,000 subscriptions, with
ARM discovery and with Resource Graph discovery, in the same run.

The tenant: a nested management-group tree (root -> 10 groups -> 2 groups each), 1,000
subscriptions spread over it, 950 of them empty (one resource group, nothing collected) and 50
populated like bench_live.py's subscriptions (about 6,000 resources); 50 ms added to every
response; ARM's read throttling (a token bucket per subscription: 250 requests, 25 per second)
and Resource Graph's user quota (15 queries per 5 s) in the emulator.

For each discovery mode: requests, 429s, wall time, and the ratio to its lower bound
(ARM configuration reads / concurrency x latency + Resource Graph pages x latency), where the ARM
reads are the requests answered 200 other than Resource Graph queries. The last line is

    tenant: arm_wall_s=<s> graph_wall_s=<s> speedup=<x> graph_bound_ratio=<x> empty_subscription_requests=<n>

(empty_subscription_requests: requests naming an empty subscription in graph mode).

    python bench/bench_tenant.py [--subscriptions 1000] [--populated 50] [--latency-ms 50] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_live import REGIONS, subscription  # noqa: E402

from tests.emulator import ArmThrottle, Emulator, Estate, Graph, ManagementGroup  # noqa: E402

ROOT = "tenant-root"
GRAPH_PATH = "/providers/Microsoft.ResourceGraph/resources"


def tenant(subscriptions: int, populated: int) -> tuple[Estate, set[str]]:
    """The estate, and the ids of its empty subscriptions."""
    estate = Estate()
    leaves = [f"lz-{g:02d}-{leaf}" for g in range(10) for leaf in ("corp", "online")]
    placed: dict[str, list[str]] = {name: [] for name in leaves}
    empty: set[str] = set()
    every = max(1, subscriptions // max(1, populated))
    for n in range(subscriptions):
        sub = str(uuid.UUID(int=0x7A1E2D3C_4B5A_4C6D_8E7F_000000000000 + n))
        doc, groups, resources = subscription(sub, n, 1)
        estate.subscriptions.append(doc)
        if n % every == 0 and n // every < populated:
            estate.resource_groups += groups
            estate.resources += resources
        else:
            empty.add(sub)
            estate.resource_groups.append({**groups[0], "tags": {}})
        placed[leaves[n % len(leaves)]].append(sub)
    estate.management_groups = [ManagementGroup(ROOT)]
    estate.management_groups += [ManagementGroup(f"lz-{g:02d}", ROOT) for g in range(10)]
    estate.management_groups += [ManagementGroup(name, name[:5], tuple(placed[name])) for name in leaves]
    region, pair = REGIONS[0]
    estate.locations = [{"id": f"/subscriptions/x/locations/{region}", "name": region, "type": "Region",
                         "metadata": {"regionType": "Physical", "pairedRegion": [{"name": pair}]},
                         "availabilityZoneMappings": [{"logicalZone": "1", "physicalZone": f"{region}-az1"}]}]
    return estate, empty


@dataclass
class Result:
    mode: str
    wall: float
    requests: int
    throttled: int
    arm_reads: int
    graph_pages: int
    empty_requests: int
    resources: int

    def bound(self, concurrency: int, latency: float) -> float:
        return self.arm_reads / concurrency * latency + self.graph_pages * latency


def run(mode: str, estate: Estate, empty: set[str], args: argparse.Namespace) -> Result:
    latency = args.latency_ms / 1000
    with Emulator(estate, latency=latency, throttle=ArmThrottle(capacity=250, rate=25.0), graph=Graph(),
                  page_size=args.page_size, shift_times=False) as arm, tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "BCDR_SCAN_TOKEN": arm.token, "REQUESTS_CA_BUNDLE": arm.ca_file}
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "scanner", "collect", "-q", "--output", f"{tmp}/estate.json.gz",
                               "--arm-endpoint", arm.url, "--management-group", ROOT, "--discovery", mode,
                               "--max-concurrency", str(args.concurrency)],
                              cwd=REPO, env=env, capture_output=True, text=True, check=False)
        wall = time.monotonic() - started
        if done.returncode not in (0, 3):
            sys.exit(f"collect --discovery {mode} failed ({done.returncode}): {done.stderr}")
        ok = [r for r in arm.requests if r.status == 200]
        graph_pages = sum(1 for r in ok if r.path == GRAPH_PATH)
        return Result(mode, wall, len(arm.requests), arm.count(status=429), len(ok) - graph_pages, graph_pages,
                      sum(1 for r in arm.requests if r.path.count("/") >= 2 and r.path.split("/")[2] in empty),
                      len(estate.resources))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscriptions", type=int, default=1000)
    parser.add_argument("--populated", type=int, default=50)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()

    estate, empty = tenant(args.subscriptions, args.populated)
    print(f"tenant:            {args.subscriptions} subscriptions ({len(empty)} empty) under a nested "
          f"management-group tree, {len(estate.resources)} resources, {args.latency_ms:g} ms latency, "
          f"concurrency {args.concurrency}")
    results = {mode: run(mode, estate, empty, args) for mode in ("arm", "graph")}
    latency = args.latency_ms / 1000
    for result in results.values():
        bound = result.bound(args.concurrency, latency)
        print(f"{result.mode:<6} requests={result.requests} 429s={result.throttled} wall_s={result.wall:.2f} "
              f"arm_reads={result.arm_reads} graph_pages={result.graph_pages} lower_bound_s={bound:.2f} "
              f"bound_ratio={result.wall / bound:.2f} empty_subscription_requests={result.empty_requests} "
              f"per_empty_subscription={result.empty_requests / max(1, len(empty)):.1f}")
    arm, graph = results["arm"], results["graph"]
    print(f"tenant: arm_wall_s={arm.wall:.2f} graph_wall_s={graph.wall:.2f} speedup={arm.wall / graph.wall:.2f} "
          f"graph_bound_ratio={graph.wall / graph.bound(args.concurrency, latency):.2f} "
          f"empty_subscription_requests={graph.empty_requests}")


if __name__ == "__main__":
    main()
