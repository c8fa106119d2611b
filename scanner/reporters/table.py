"""The terminal report (`--format table`, the default on a terminal): what to fix first, coverage
per landing zone, findings grouped by zone and severity, accepted risks and what could not be read.

It is laid out for the width it is given (the terminal's, else COLUMNS, else 100 in a pipe) and
reads at 80 columns: a finding is a block (severity, check, then its resource, message and
requirement wrapped beside them) rather than a grid of narrow columns, so nothing is cut to `…`
and the message gets most of the line; from 160 columns the resource gets a column of its own.
Every piece of text from ARM or a user file enters as a rich `Text` built by `terminal_text`:
markup in data is never interpreted and control characters never reach the terminal.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from scanner import TOOL_NAME, __version__
from scanner.baseline import EntryStatus
from scanner.check import Severity, Status
from scanner.engine import Outcome, ScanResult
from scanner.model import ReadGap
from scanner.reporters.base import (
    MAX_WIDTH,
    ReportOptions,
    active_findings,
    coverage_gaps_text,
    fix_first,
    iso,
    plural,
    region_metadata_text,
    report_width,
    requirement_text,
    severity_counts,
    short_id,
    suppressed_findings,
    zone_summaries,
)
from scanner.reporters.readiness_block import print_readiness
from scanner.sanitize import scrub, terminal_text

SEVERITY_STYLE = {Severity.CRITICAL: "bold white on red", Severity.HIGH: "bold red", Severity.MEDIUM: "yellow",
                  Severity.LOW: "cyan", Severity.INFO: "dim"}
MAX_UNKNOWN_ROWS = 200  # a forbidden resource group can leave thousands; the JSON report lists all
MAX_READ_ERROR_ROWS = 200
MAX_SUPPRESSED_ROWS = 500
MAX_FINDING_ROWS_PER_ZONE = 500  # beyond this a terminal is the wrong tool: say so, point at json / sarif
WIDE_MIN_WIDTH = 160  # from here the resource id may get its own column beside the message...
WIDE_MESSAGE_WIDTH = 80  # ...if the message column keeps at least this many characters
LABELS_WIDTH = 17  # what severity and check take from a line (with the padding between columns)
NEXT_CHECKS = 3  # `checks show` suggestions after "Fix first"


def render_table(scan: ScanResult, options: ReportOptions) -> str:
    buffer = io.StringIO()
    width = report_width(options)
    # markup=False: even a plain string printed by mistake is shown as it is, never interpreted.
    console = Console(file=buffer, force_terminal=options.color, color_system="standard" if options.color else None,
                      width=width, highlight=False, emoji=False, markup=False, legacy_windows=False)
    active = active_findings(scan, options)
    _header(console, scan, options, active)
    _fix_first(console, scan, options)
    zones = zone_summaries(scan, options)
    _zone_coverage(console, zones, width)
    print_readiness(console, scan)
    by_zone: dict[str, list[Outcome]] = {}
    for outcome in active:
        by_zone.setdefault(outcome.zone.name, []).append(outcome)
    wide = _wide_layout([o for group in by_zone.values() for o in group[:MAX_FINDING_ROWS_PER_ZONE]], width)
    for zone in zones:
        _zone_section(console, zone, by_zone.get(zone["name"], []), width, wide, options)
    _accepted_risks(console, scan, options)
    _coverage(console, scan, options)
    return finished(buffer.getvalue(), options.color)


def finished(output: str, color: bool) -> str:
    """The console's output as written: scrubbed of secrets (each field was scrubbed before wrapping;
    this is the safety net) and, without colour, without the padding layout adds to every line."""
    output = scrub(output)
    return output if color else "\n".join(line.rstrip() for line in output.split("\n"))


def text(value: object, style: str = "") -> Text:
    """Untrusted text as a rich Text: one line, no control characters, secrets replaced, no markup."""
    return Text(terminal_text(value), style=style)


def block_grid(*columns: tuple[str, dict[str, Any]]) -> Table:
    """A borderless layout table (a block per row), one space between columns, indented by one."""
    grid = Table.grid(padding=(0, 1), pad_edge=True, expand=True)
    for _, settings in columns:
        grid.add_column(**settings)
    return grid


def label_column(value: str, style: str = "") -> dict[str, Any]:
    return {"no_wrap": True, "style": style, "min_width": len(value)}


def body_column() -> dict[str, Any]:
    return {"ratio": 1, "overflow": "fold"}


def _header(console: Console, scan: ScanResult, options: ReportOptions, active: list[Outcome]) -> None:
    source = f"snapshot {options.snapshot}" if options.snapshot else f"{options.mode} scan"
    line = Text(f"{TOOL_NAME} {__version__} ", style="bold")
    line.append(terminal_text(f"· {source} · policy {scan.policy.source} · collected "
                              f"{iso(scan.inventory.collected_at) or 'unknown'}"), style="dim")
    console.print(line)
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
        line.append(f"INCOMPLETE ({coverage_gaps_text(scan)})", style="bold yellow")
    console.print(line)


def _fix_first(console: Console, scan: ScanResult, options: ReportOptions) -> None:
    """The few most severe findings across all zones, one line of message each, and where to read on."""
    top = fix_first(scan, options)
    if not top:
        return
    total = len(active_findings(scan, options))
    console.print()
    _heading(console, Text(f"Fix first ({len(top)} of {plural(total, 'finding')})", style="bold"))
    grid = block_grid(("severity", label_column("MEDIUM")), ("check", label_column("CHECK-0")), ("body", body_column()))
    for outcome in top:
        where = Text(terminal_text(outcome.zone.name), style="bold")
        where.append(" · ")
        where.append(terminal_text(short_id(outcome.resource.id)))
        message = Text(terminal_text(outcome.result.message), no_wrap=True, overflow="ellipsis")
        grid.add_row(Text(str(outcome.severity).upper(), style=SEVERITY_STYLE[outcome.severity]),
                     text(outcome.check.id), Group(where, message))
    console.print(grid)
    checks = list(dict.fromkeys(o.check.id for o in top))[:NEXT_CHECKS]
    advice = Text("next: ", style="bold")
    advice.append(terminal_text(f"bcdr-scan checks show {checks[0]}"), style="bold")
    advice.append(" (why it matters, what each strategy requires, how to fix it)")
    if len(checks) > 1:
        advice.append(terminal_text(f"; then {', '.join(checks[1:])}"))
    console.print(advice)


def _heading(console: Console, title: Text) -> None:
    """A section title on a rule; a title too long for one line is printed whole above the rule."""
    if title.cell_len + 6 <= console.width:
        console.rule(title, align="left")
    else:
        console.print(title)
        console.rule()


def _zone_coverage(console: Console, zones: list[dict[str, Any]], width: int) -> None:
    """The zone table where it fits whole (no zone name folded, no number cut), else two lines a zone."""
    console.print()
    table = _zone_table(zones)
    natural = console.measure(table, options=console.options.update_width(MAX_WIDTH)).maximum
    if natural <= width:
        console.print(table)
        return
    _heading(console, Text("Coverage by landing zone", style="bold"))
    for zone in zones:
        r = zone["results"]
        head = text(zone["name"] + (" (default)" if zone["default"] else ""), style="bold")
        head.append(f" · {zone['strategy']} · RPO {zone['rpo']} / RTO {zone['rto']}")
        counts = Text(f"  {plural(zone['resources'], 'resource')}, {plural(len(zone['checks']), 'check')}: "
                      f"{r['passed']} passed, ")
        counts.append(f"{r['failed']} failed", style="red" if r["failed"] > r["suppressed"] else "")
        counts.append(f", {r['suppressed']} suppressed, ")
        counts.append(f"{r['unknown']} unknown", style="yellow" if r["unknown"] else "")
        counts.append(f", {r['not_applicable']} n/a")
        console.print(head)
        console.print(counts)


def _zone_table(zones: list[dict[str, Any]]) -> Table:
    table = Table(title=Text("Coverage by landing zone", style="bold"), title_justify="left", box=box.SIMPLE_HEAD,
                  collapse_padding=True, pad_edge=False)
    table.add_column("zone", overflow="fold")
    for column in ("strategy", "RPO / RTO"):
        table.add_column(column, no_wrap=True)
    for column in ("res.", "checks", "pass", "fail", "suppr.", "unkn.", "n/a"):
        table.add_column(column, justify="right", no_wrap=True, min_width=len(column))
    for zone in zones:
        results = zone["results"]
        table.add_row(
            text(zone["name"] + (" (default)" if zone["default"] else "")), text(zone["strategy"]),
            text(f"{zone['rpo']} / {zone['rto']}"), str(zone["resources"]), str(len(zone["checks"])),
            str(results["passed"]),
            Text(str(results["failed"]), style="red" if results["failed"] > results["suppressed"] else ""),
            str(results["suppressed"]),
            Text(str(results["unknown"]), style="yellow" if results["unknown"] else ""),
            str(results["not_applicable"]),
        )
    return table


def _wide_layout(findings: list[Outcome], width: int) -> bool:
    """A column for resource ids only where every id fits in it whole and the message keeps room."""
    longest = max((len(terminal_text(short_id(o.resource.id))) for o in findings), default=0)
    return width >= WIDE_MIN_WIDTH and width - LABELS_WIDTH - longest >= WIDE_MESSAGE_WIDTH


def _zone_section(console: Console, zone: dict[str, Any], findings: list[Outcome], width: int, wide: bool,
                  options: ReportOptions) -> None:
    if not zone["resources"] and not findings:
        return
    console.print()
    regions = " → ".join(r for r in (zone["primary_region"], zone["secondary_region"]) if r)
    title = f"{zone['name']} · {zone['strategy']} · RPO {zone['rpo']} · RTO {zone['rto']}"
    _heading(console, text(title + (f" · {regions}" if regions else ""), style="bold"))
    types = ", ".join(f"{n} {t}" for t, n in zone["resources_by_type"].items())
    console.print(Text(f"Resources: {terminal_text(types or 'none')}", style="dim"))
    if not findings:
        console.print(Text("No findings.", style="green"))
        return
    left_out = len(findings) - MAX_FINDING_ROWS_PER_ZONE
    console.print(_findings_grid(findings[:MAX_FINDING_ROWS_PER_ZONE], width, wide, options))  # most severe first
    if left_out > 0:
        console.print(Text(f"… and {plural(left_out, 'less severe finding')} in this zone; --format json lists "
                           "them all.", style="yellow"))


def _findings_grid(findings: list[Outcome], width: int, wide: bool, options: ReportOptions) -> Table:
    """One block per finding: severity and check, then resource, message, requirement and, when the
    source map placed it, `at file:line` of the IaC to change (in the wide layout the resource has a
    column of its own)."""
    columns = [("severity", label_column("MEDIUM")), ("check", label_column("CHECK-0"))]
    if wide:
        resource_width = max(len(terminal_text(short_id(o.resource.id))) for o in findings)
        columns.append(("resource", {"no_wrap": True, "width": resource_width, "style": "bold"}))
    grid = block_grid(*columns, ("body", body_column()))
    for severity, group in _by_severity(findings):
        for outcome in group:
            cells: list[Any] = [Text(str(severity).upper(), style=SEVERITY_STYLE[severity]), text(outcome.check.id)]
            resource = resource_text(outcome.resource.id, width)
            body = text(outcome.result.message)
            requirement = requirement_text(outcome, with_zone=False)
            if requirement:
                body.append("\n" + terminal_text(requirement), style="dim")
            source = options.source_map.location(outcome) if options.source_map is not None else None
            if source is not None:
                body.append("\n" + id_lines(terminal_text(f"at {source.file}:{source.line}"), width - LABELS_WIDTH),
                            style="dim")
            if wide:
                cells += [resource, body]
            else:
                cells.append(Text.assemble(resource, "\n", body))
            grid.add_row(*cells)
    return grid


def resource_text(resource_id: str, width: int) -> Text:
    """`resource-group/name` in bold, broken after a `/` where it is longer than a block's body."""
    return Text(id_lines(terminal_text(short_id(resource_id)), width - LABELS_WIDTH), style="bold")


def id_lines(resource_id: str, width: int) -> str:
    """A long id broken after a `/` rather than in the middle of a name (rich wraps on spaces only)."""
    lines, line = [], ""
    for part in re.split(r"(?<=/)", resource_id):
        if line and len(line) + len(part) > width:
            lines.append(line)
            line = ""
        line += part
    return "\n".join([*lines, line])


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
    _heading(console, text(f"Accepted risks · baseline {applied.source}", style="bold"))
    suppressed = suppressed_findings(scan, options)
    if suppressed:
        console.print(Text(plural(len(suppressed), "suppressed finding"), style="bold"))
        grid = block_grid(("check", label_column("CHECK-0")), ("body", body_column()))
        for outcome in suppressed[:MAX_SUPPRESSED_ROWS]:
            entry = applied.suppression_for(outcome)
            if entry is None:  # cannot happen: suppressed findings are those with an entry
                continue
            body = resource_text(outcome.resource.id, console.width)
            body.append(" · zone " + terminal_text(outcome.zone.name))
            body.append("\n" + terminal_text(f"owner {entry.owner} · until {entry.expires.isoformat()}"), style="dim")
            body.append("\n" + terminal_text(entry.justification))
            grid.add_row(text(outcome.check.id), body)
        console.print(grid)
        if len(suppressed) > MAX_SUPPRESSED_ROWS:
            console.print(Text(f"… and {len(suppressed) - MAX_SUPPRESSED_ROWS} more; the JSON report lists them all."))
    else:
        console.print(Text("No finding is suppressed."))
    for status, style, advice in (
        (EntryStatus.EXPIRED, "bold yellow", "expired: no longer suppresses; fix the findings or renew the entry"),
        (EntryStatus.STALE, "yellow", "stale: matches no finding; remove it"),
        (EntryStatus.NOT_RUN, "dim", "not judged: its check did not run in this scan"),
    ):
        for entry in applied.with_status(status):
            matched = applied.matched.get(entry.index, 0)
            console.print(text(f"{advice}" + (f" ({plural(matched, 'finding')})" if matched else "")
                               + f": accepted_risks[{entry.index}] {entry.check} on {entry.resource} "
                               f"(owner {entry.owner}, until {entry.expires})", style=style))


def _coverage(console: Console, scan: ScanResult, options: ReportOptions) -> None:
    gaps = scan.inventory.gaps
    unknown = scan.with_status(Status.UNKNOWN)
    console.print()
    _heading(console, Text("Coverage", style="bold"))
    console.print(text(f"Region metadata: {region_metadata_text(scan, options)}."))
    if not gaps and not unknown:
        console.print(Text("Everything the checks needed was read and judged.", style="green"))
        return
    if gaps:
        _read_errors(console, gaps)
    if unknown:
        _unknown_verdicts(console, unknown)


def _read_errors(console: Console, gaps: list[ReadGap]) -> None:
    console.print(Text(plural(len(gaps), "read error"), style="bold yellow"))
    grid = block_grid(("status", label_column("HTTP 000")), ("body", body_column()))
    for gap in gaps[:MAX_READ_ERROR_ROWS]:
        body = text(gap.data, style="bold")
        body.append("\n" + terminal_text(f"under {gap.scope}"))
        body.append("\n" + terminal_text(gap.error), style="dim")
        grid.add_row(text(f"HTTP {gap.status}" if gap.status else "error"), body)
    console.print(grid)
    if len(gaps) > MAX_READ_ERROR_ROWS:
        console.print(Text(f"… and {len(gaps) - MAX_READ_ERROR_ROWS} more; the JSON report lists them all."))


def _unknown_verdicts(console: Console, unknown: list[Outcome]) -> None:
    console.print(Text(f"{plural(len(unknown), 'unknown verdict')} (neither passed nor failed)", style="bold yellow"))
    grid = block_grid(("check", label_column("CHECK-0")), ("body", body_column()))
    for outcome in unknown[:MAX_UNKNOWN_ROWS]:
        missing = outcome.result.evidence.get("missing") or outcome.result.message
        body = resource_text(outcome.resource.id, console.width)
        body.append(" · zone " + terminal_text(outcome.zone.name))
        body.append("\n" + terminal_text(f"missing: {missing}"), style="dim")
        grid.add_row(text(outcome.check.id), body)
    console.print(grid)
    if len(unknown) > MAX_UNKNOWN_ROWS:
        console.print(Text(f"… and {len(unknown) - MAX_UNKNOWN_ROWS} more; the JSON report lists them all."))
