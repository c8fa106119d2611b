"""The terminal report (`--format table`, the default on a terminal): findings grouped by landing
zone and severity, a coverage summary per zone, accepted risks and what could not be read."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from scanner import TOOL_NAME, __version__
from scanner.baseline import EntryStatus
from scanner.check import Severity, Status
from scanner.engine import Outcome, ScanResult
from scanner.reporters.base import (
    ReportOptions,
    active_findings,
    fit,
    iso,
    plural,
    severity_counts,
    short_id,
    suppressed_findings,
    zone_summaries,
)

SEVERITY_STYLE = {Severity.CRITICAL: "bold white on red", Severity.HIGH: "bold red", Severity.MEDIUM: "yellow",
                  Severity.LOW: "cyan", Severity.INFO: "dim"}
MAX_UNKNOWN_ROWS = 200  # a forbidden resource group can leave thousands; the JSON report lists all
MAX_FINDING_ROWS_PER_ZONE = 500  # beyond this a terminal is the wrong tool: say so, point at json / sarif


def render_table(scan: ScanResult, options: ReportOptions) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=options.color, color_system="standard" if options.color else None,
                      width=options.width or 120, highlight=False, emoji=False, legacy_windows=False)
    active = active_findings(scan, options)
    _header(console, scan, options, active)
    zones = zone_summaries(scan, options)
    console.print(_zone_table(zones))
    by_zone: dict[str, list[Outcome]] = {}
    for outcome in active:
        by_zone.setdefault(outcome.zone.name, []).append(outcome)
    for zone in zones:
        _zone_section(console, zone, by_zone.get(zone["name"], []))
    _accepted_risks(console, scan, options)
    _coverage(console, scan)
    return buffer.getvalue()


def _header(console: Console, scan: ScanResult, options: ReportOptions, active: list[Outcome]) -> None:
    source = f"snapshot {options.snapshot}" if options.snapshot else f"{options.mode} scan"
    console.print(Text(f"{TOOL_NAME} {__version__}", style="bold"), Text(
        f"· {source} · policy {scan.policy.source} · collected {iso(scan.inventory.collected_at) or 'unknown'}",
        style="dim"))
    counts = severity_counts(active)
    line = Text()
    line.append(plural(len(active), "finding"), style="bold")
    parts = [(f"{n} {sev}", SEVERITY_STYLE[Severity(sev)]) for sev, n in counts.items() if n]
    if parts:
        line.append(" (")
        for i, (label, style) in enumerate(parts):
            line.append(", " if i else "")
            line.append(label, style=style)
        line.append(")")
    suppressed = len(suppressed_findings(scan, options))
    if suppressed:
        line.append(f" · {suppressed} suppressed by the baseline")
    line.append(" · coverage ")
    if scan.coverage_complete:
        line.append("complete", style="green")
    else:
        unknown = scan.counts()[str(Status.UNKNOWN)]
        line.append(f"INCOMPLETE ({plural(len(scan.inventory.gaps), 'read error')}, "
                    f"{plural(unknown, 'unknown verdict')})", style="bold yellow")
    console.print(line)
    console.print()


def _zone_table(zones: list[dict[str, Any]]) -> Table:
    table = Table(title="Coverage by landing zone", title_justify="left", title_style="bold", box=box.SIMPLE_HEAD)
    for column in ("zone", "strategy", "RPO / RTO"):
        table.add_column(column, no_wrap=True)
    for column in ("res.", "judged", "checks", "pass", "fail", "suppr.", "unkn.", "n/a"):
        table.add_column(column, justify="right", no_wrap=True)
    for zone in zones:
        results = zone["results"]
        table.add_row(
            zone["name"] + (" (default)" if zone["default"] else ""), zone["strategy"],
            f"{zone['rpo']} / {zone['rto']}", str(zone["resources"]), str(zone["evaluated_resources"]),
            str(len(zone["checks"])), str(results["passed"]),
            Text(str(results["failed"]), style="red" if results["failed"] > results["suppressed"] else ""),
            str(results["suppressed"]),
            Text(str(results["unknown"]), style="yellow" if results["unknown"] else ""),
            str(results["not_applicable"]),
        )
    return table


def _zone_section(console: Console, zone: dict[str, Any], findings: list[Outcome]) -> None:
    if not zone["resources"] and not findings:
        return
    console.print()
    regions = " → ".join(r for r in (zone["primary_region"], zone["secondary_region"]) if r)
    title = f"{zone['name']} · {zone['strategy']} · RPO {zone['rpo']} · RTO {zone['rto']}"
    console.rule(Text(title + (f" · {regions}" if regions else ""), style="bold"), align="left")
    types = ", ".join(f"{n} {t}" for t, n in zone["resources_by_type"].items())
    console.print(Text(f"Resources: {types or 'none'}", style="dim"))
    if not findings:
        console.print(Text("No findings.", style="green"))
        return
    left_out = len(findings) - MAX_FINDING_ROWS_PER_ZONE
    findings = findings[:MAX_FINDING_ROWS_PER_ZONE]  # most severe first
    table = Table(show_lines=False, expand=True)
    table.add_column("severity", no_wrap=True)
    table.add_column("check", no_wrap=True)
    width = fit(short_id(o.resource.id) for o in findings)
    table.add_column("resource", overflow="fold", min_width=width, max_width=width)
    table.add_column("finding", overflow="fold", ratio=5)
    for severity, group in _by_severity(findings):
        for i, outcome in enumerate(group):
            table.add_row(
                Text(str(severity).upper(), style=SEVERITY_STYLE[severity]) if i == 0 else "",
                outcome.check.id, short_id(outcome.resource.id), _finding_text(outcome),
                end_section=i == len(group) - 1,
            )
    console.print(table)
    if left_out > 0:
        console.print(Text(f"… and {plural(left_out, 'less severe finding')} in this zone; --format json lists "
                           "them all.", style="yellow"))


def _finding_text(outcome: Outcome) -> Text:
    text = Text(outcome.result.message)
    if outcome.result.requirement:
        text.append(f"\nrequires {outcome.result.requirement}", style="dim")
    return text


def _by_severity(findings: Iterable[Outcome]) -> list[tuple[Severity, list[Outcome]]]:
    groups: dict[Severity, list[Outcome]] = {}
    for outcome in findings:
        groups.setdefault(outcome.severity, []).append(outcome)
    return [(s, groups[s]) for s in Severity if s in groups]


def _accepted_risks(console: Console, scan: ScanResult, options: ReportOptions) -> None:
    applied = options.baseline
    if applied is None:
        return
    console.print()
    console.rule(Text(f"Accepted risks · baseline {applied.source}", style="bold"), align="left")
    suppressed = suppressed_findings(scan, options)
    if suppressed:
        table = Table(title=f"{plural(len(suppressed), 'suppressed finding')}", title_justify="left", expand=True)
        width = fit(short_id(o.resource.id) for o in suppressed)
        for column, ratio in (("check", None), ("resource", None), ("zone", None), ("owner", None),
                              ("until", None), ("justification", 4)):
            fixed = width if column == "resource" else None
            table.add_column(column, overflow="fold", ratio=ratio, min_width=fixed, max_width=fixed)
        for outcome in suppressed:
            entry = applied.suppression_for(outcome)
            if entry is None:  # cannot happen: suppressed findings are those with an entry
                continue
            table.add_row(outcome.check.id, short_id(outcome.resource.id), outcome.zone.name, entry.owner,
                          entry.expires.isoformat(), entry.justification)
        console.print(table)
    else:
        console.print("No finding is suppressed.")
    for status, style, advice in (
        (EntryStatus.EXPIRED, "bold yellow", "expired: no longer suppresses; fix the findings or renew the entry"),
        (EntryStatus.STALE, "yellow", "stale: matches no finding; remove it"),
        (EntryStatus.NOT_RUN, "dim", "not judged: its check did not run in this scan"),
    ):
        for entry in applied.with_status(status):
            matched = applied.matched.get(entry.index, 0)
            console.print(Text(f"accepted_risks[{entry.index}] {entry.check} on {entry.resource} "
                               f"(owner {entry.owner}, until {entry.expires}) — {advice}"
                               + (f" ({matched} findings)" if matched else ""), style=style))


def _coverage(console: Console, scan: ScanResult) -> None:
    gaps = scan.inventory.gaps
    unknown = scan.with_status(Status.UNKNOWN)
    console.print()
    console.rule(Text("Coverage", style="bold"), align="left")
    console.print(f"Region metadata: {scan.inventory.regions.source}.")
    if not gaps and not unknown:
        console.print(Text("Everything the checks needed was read and judged.", style="green"))
        return
    if gaps:
        table = Table(title=plural(len(gaps), "read error"), title_justify="left", expand=True)
        table.add_column("scope", overflow="fold", ratio=3)
        table.add_column("data", overflow="fold", ratio=2)
        table.add_column("error", overflow="fold", ratio=3)
        for gap in gaps:
            status = f"HTTP {gap.status}: " if gap.status else ""
            table.add_row(gap.scope, gap.data, status + gap.error)
        console.print(table)
    if unknown:
        title = f"{plural(len(unknown), 'unknown verdict')} (neither passed nor failed)"
        table = Table(title=title, title_justify="left", expand=True)
        width = fit(short_id(o.resource.id) for o in unknown[:MAX_UNKNOWN_ROWS])
        for column, ratio in (("check", None), ("resource", None), ("zone", None), ("missing", 3)):
            fixed = width if column == "resource" else None
            table.add_column(column, overflow="fold", ratio=ratio, min_width=fixed, max_width=fixed)
        for outcome in unknown[:MAX_UNKNOWN_ROWS]:
            missing = outcome.result.evidence.get("missing") or outcome.result.message
            table.add_row(outcome.check.id, short_id(outcome.resource.id), outcome.zone.name, str(missing))
        console.print(table)
        if len(unknown) > MAX_UNKNOWN_ROWS:
            console.print(f"… and {len(unknown) - MAX_UNKNOWN_ROWS} more; the JSON report lists them all.")
