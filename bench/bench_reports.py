"""Report rendering benchmark: every format of one evaluated synthetic estate (bench_evaluate's generator).

Loads and evaluates once, then renders each format (the table at 80 and 120 columns and with no
width, as in a pipe) and prints the best of --repeat CPU times of this process (less sensitive than
wall-clock time to other work on a shared machine) and the size of the output; for SARIF also the
results the log holds (GitHub's cap, 25,000, is reached from about 75,000 resources; issue 12's
target is a 25,000-result log in under 2 s).

    python bench/bench_reports.py [--resources 20000] [--repeat 3] [--only json,sarif,...]
    python bench/bench_reports.py --resources 100000 --only sarif   # 25,000 SARIF results
    python bench/bench_reports.py --resources 100000 --findings 25000 --only html

For HTML also the time headless Chromium takes to load the page, run its script and serialise the
DOM (`--dump-dom` wall time, browser start included), where Chromium is installed.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

from bench_evaluate import generate  # a sibling script, not a package


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="",
                        help="comma-separated labels to run (json, sarif, markdown, html, table@80...)")
    parser.add_argument("--findings", type=int, default=0,
                        help="keep only the first N findings in report order (0: all), e.g. 25000 for the HTML figures")
    args = parser.parse_args()

    import json

    from scanner.engine import evaluate, tune_gc_for_batch
    from scanner.policy import parse_policy
    from scanner.registry import discover
    from scanner.reporters import FORMATS
    from scanner.reporters.base import ReportOptions
    from scanner.snapshot import load_snapshot

    tune_gc_for_batch()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench-snapshot.json"
        generate(path, args.resources)
        policy = parse_policy(json.loads(path.with_suffix(".policy.json").read_text()), "bench")
        scan = evaluate(load_snapshot(path), policy, discover(include_plugins=False))
    if args.findings:
        scan = with_findings(scan, args.findings)
    print(f"{len(scan.inventory.resources):,} resources, {len(scan.outcomes):,} results, "
          f"{len(scan.findings):,} findings")
    base = ReportOptions(snapshot="bench-snapshot.json")
    cases = [("json", "json", base), ("sarif", "sarif", base), ("markdown", "markdown", base), ("html", "html", base),
             ("table@80", "table", replace(base, width=80)), ("table@120", "table", replace(base, width=120)),
             ("table@pipe", "table", replace(base, width=None))]
    wanted = {w.strip() for w in args.only.split(",") if w.strip()}
    for label, fmt, options in (c for c in cases if not wanted or c[0] in wanted):
        best, size = float("inf"), 0
        for _ in range(max(args.repeat, 1)):
            t0 = time.process_time()
            report = FORMATS[fmt](scan, options)
            best = min(best, time.process_time() - t0)
            text = report.decode("ascii") if isinstance(report, bytes) else report  # JSON: its ASCII bytes
            size = len(text)
        held = f"  {len(json.loads(text)['runs'][0]['results']):>7,} results" if fmt == "sarif" else ""
        print(f"{label:>12}: {best:6.2f} s  {size / 1e6:6.2f} MB  {text.count(chr(10)):>9,} lines{held}")
        if fmt == "html":
            print(html_figures(text))


def with_findings(scan: Any, count: int) -> Any:
    """The scan with only its first `count` findings (report order); every other result is kept."""
    from scanner.check import Status

    kept = [o for o in scan.outcomes if o.status != Status.FAIL] + scan.findings[:count]
    return replace(scan, outcomes=kept)


def html_figures(text: str) -> str:
    """The page's size in bytes, and Chromium's load + script + serialise time where Chromium is installed."""
    from tests.chromium import find_chromium, run_chromium

    size = len(text.encode("utf-8"))
    line = f"{'html file':>12}: {size:,} bytes ({size / 2**20:.2f} MiB)"
    binary = find_chromium()
    if binary is None:
        return line + "; no Chromium for the load time"
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(text, "utf-8")
        t0 = time.perf_counter()
        done = run_chromium(binary, page, "", Path(tmp) / "profile", "--dump-dom")
        seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        run_chromium(binary, page, "severity=high", Path(tmp) / "profile", "--dump-dom")
        filtered = time.perf_counter() - t0
    shown = re.search(r'id="shown-count">(\d+)<', done.stdout)
    return (line + f"\n{'chromium':>12}: {seconds:6.2f} s load, script and DOM dump (wall, browser start included; "
            f"{shown.group(1) if shown else '?'} rows shown); {filtered:.2f} s with #severity=high")


if __name__ == "__main__":
    main()
