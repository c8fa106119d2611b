"""Policy reading benchmark: the bounded YAML reader and policy validation at growing sizes.

Prints, for policies of N zones, the time to read them with plain yaml.safe_load and with
load_policy (bounded reader plus every validation), and the time per zone: a constant time per
zone shows the checks across zones (unique names) are linear. Then the time to refuse a
billion-laughs document and a 100,000-level nesting.

    python bench/bench_policy.py [--zones 500,2000,4000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scanner.errors import InputError
from scanner.policy import load_policy

ZONE = """  - name: dlz-{n:05d}
    strategy: {strategy}
    rpo: 4h
    rto: 8h
    primary_region: westeurope
    secondary_region: northeurope
    match:
      subscriptions: [6f1e2d3c-4b5a-4c6d-8e7f-{n:012d}]
      tags: {{landing-zone: dlz-{n:05d}, tier: 1}}
"""
BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))


def policy_text(zones: int) -> str:
    strategies = ["redeploy", "backup-restore", "warm-spare", "hot-spare"]
    return "version: 1\nzones:\n" + "".join(ZONE.format(n=n, strategy=strategies[n % 4]) for n in range(zones))


def timed(action) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def refusal_time(path: Path, text: str) -> str:
    path.write_text(text, "utf-8")
    start = time.perf_counter()
    try:
        load_policy(path)
    except InputError as exc:
        return f"{time.perf_counter() - start:.3f}s ({exc.field}: {exc.message})"
    return "accepted (!)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--zones", default="500,2000,4000")
    sizes = [int(n) for n in parser.parse_args().zones.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "policy.yaml"
        print(f"{'zones':>6} {'bytes':>9} {'safe_load':>10} {'load_policy':>12} {'per zone':>9}")
        for zones in sizes:
            text = policy_text(zones)
            path.write_text(text, "utf-8")
            plain = timed(lambda text=text: yaml.safe_load(text))
            ours = timed(lambda: load_policy(path))
            print(f"{zones:>6} {len(text):>9,} {plain:>9.3f}s {ours:>11.3f}s {ours / zones * 1e6:>7.0f}µs")
        print("billion laughs (<1 kB):", refusal_time(path, BILLION_LAUGHS))
        print("100,000 nested [:", refusal_time(path, "[" * 100_000))


if __name__ == "__main__":
    main()
