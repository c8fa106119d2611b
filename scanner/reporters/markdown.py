"""The Markdown report (`--format markdown`) for a GitHub job summary or a pull-request comment.

It is a summary: tables are capped (GitHub takes 1 MiB per job summary and 65,536 characters per
comment) and say how many rows were left out; the JSON report always has everything.

Text from ARM or a user file goes through `cell` (inline text) or `code` (a code span): it renders
as the literal text, with no link, image, autolink, HTML or formatting it could start.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from scanner import TOOL_NAME, __version__
from scanner.baseline import EntryStatus
from scanner.check import Severity, Status
from scanner.docs import DOCS_URL
from scanner.engine import Outcome, ScanResult
from scanner.reporters.base import (
    ReportOptions,
    active_findings,
    iso,
    plural,
    region_metadata_text,
    requirement_text,
    severity_counts,
    short_id,
    source_text,
    suppressed_findings,
    zone_summaries,
)
from scanner.reporters.readiness_block import markdown_readiness
from scanner.sanitize import markdown_code, markdown_text, scrub

MAX_FINDING_ROWS = 100
MAX_SUPPRESSED_ROWS = 50
MAX_COVERAGE_ROWS = 50


def render_markdown(scan: ScanResult, options: ReportOptions) -> str:
    active = active_findings(scan, options)
    lines = _header(scan, options, active)
    lines += _source_summary(scan, options)
    lines += _zones(scan, options)
    lines += markdown_readiness(scan, cell, code)
    lines += _findings(active, options)
    lines += _accepted_risks(scan, options)
    lines += _coverage(scan, options)
    return scrub("\n".join(lines).rstrip("\n") + "\n")  # fields were scrubbed before escaping; a safety net


def cell(value: object) -> str:
    """Untrusted text as inline Markdown (in a table cell or not): literal, one line, nothing active."""
    return markdown_text(value)


def code(value: object, *, in_table: bool = True) -> str:
    """Untrusted text as a code span (ids, paths); `in_table=False` outside a table row."""
    return markdown_code(value, table=in_table)


def table(header: Sequence[str], rows: Iterable[Sequence[object]], align: Sequence[str] | None = None) -> list[str]:
    align = align or ["---"] * len(header)
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


def _header(scan: ScanResult, options: ReportOptions, active: list[Outcome]) -> list[str]:
    counts = ", ".join(f"{n} {sev}" for sev, n in severity_counts(active).items() if n)
    summary = f"**{plural(len(active), 'finding')}**" + (f" ({counts})" if counts else "")
    suppressed = len(suppressed_findings(scan, options))
    if suppressed:
        summary += f" · {suppressed} suppressed by the baseline"
    if scan.coverage_complete:
        summary += " · coverage complete"
    else:
        unknown = scan.counts()[str(Status.UNKNOWN)]
        summary += (f" · :warning: **coverage incomplete** ({plural(len(scan.inventory.gaps), 'read error')}, "
                    f"{unknown} unknown)")
    source = f"snapshot {code(options.snapshot, in_table=False)}" if options.snapshot else f"{options.mode} scan"
    return [
        f"## {TOOL_NAME}: BCDR compliance by landing zone",
        "",
        summary,
        "",
        f"<sub>{TOOL_NAME} {__version__} · {source} · policy {code(scan.policy.source, in_table=False)} · "
        f"collected {iso(scan.inventory.collected_at) or 'unknown'}</sub>",
        "",
    ]


def _zones(scan: ScanResult, options: ReportOptions) -> list[str]:
    rows = []
    for zone in zone_summaries(scan, options):
        r = zone["results"]
        regions = " → ".join(x for x in (zone["primary_region"], zone["secondary_region"]) if x) or "-"
        rows.append([cell(zone["name"]) + (" (default)" if zone["default"] else ""), zone["strategy"], zone["rpo"],
                     zone["rto"], cell(regions), zone["resources"], len(zone["checks"]),
                     r["passed"], r["failed"], r["suppressed"], r["unknown"], r["not_applicable"]])
    lines = ["### Landing zones", ""]
    lines += table(["zone", "strategy", "RPO", "RTO", "regions", "resources", "checks", "passed",
                    "failed", "suppressed", "unknown", "n/a"], rows, ["---"] * 5 + ["--:"] * 7)
    details = [f"**{cell(z['name'])}**: " + (", ".join(f"{n} {code(t, in_table=False)}"
                                                       for t, n in z["resources_by_type"].items())
                                             or "no resources")
               for z in zone_summaries(scan, options)]
    lines += ["", "<details><summary>Resources by type</summary>", "", *(f"- {d}" for d in details), "",
              "</details>", ""]
    return lines


def _findings(active: list[Outcome], options: ReportOptions) -> list[str]:
    lines = ["### Findings", ""]
    if not active:
        return [*lines, "No findings.", ""]
    shown = 0
    for severity in Severity:
        group = [o for o in active if o.severity == severity]
        if not group:
            continue
        room = max(MAX_FINDING_ROWS - shown, 0)
        lines += [f"#### {str(severity).capitalize()} ({len(group)})", ""]
        rows = [[f"[{o.check.id}]({DOCS_URL.format(id=o.check.id)})", code(short_id(o.resource.id)),
                 cell(o.zone.name), cell(o.result.message), cell(requirement_text(o, with_zone=False) or ""),
                 *([_source_cell(o, options)] if options.source_map else [])]
                for o in group[:room]]
        if rows:
            lines += table(["check", "resource", "zone", "finding", "requirement",
                            *(["source"] if options.source_map else [])], rows)
        if len(group) > room:
            lines += ["", f"… {plural(len(group) - room, f'more {severity} finding')}; the JSON report lists them all."]
        lines.append("")
        shown += len(rows)
    return lines


def _source_cell(outcome: Outcome, options: ReportOptions) -> str:
    """`path:line` of the declaration (a code span: the path is text from the repository), or why none."""
    text, located = source_text(outcome, options)
    return code(text) if located else text


def _source_summary(scan: ScanResult, options: ReportOptions) -> list[str]:
    if options.source_map is None:
        return []
    counts = options.source_map.counts(scan.findings)
    root = options.source_map.prefix or "."
    return [f"Source map ({code(root, in_table=False)}): {counts['mapped']} of {len(scan.findings)} findings located "
            f"in the IaC that declares their resource, {counts['ambiguous']} ambiguous (several declarations could "
            f"deploy it: left unmapped), {counts['unmapped']} unmapped.", ""]


def _accepted_risks(scan: ScanResult, options: ReportOptions) -> list[str]:
    applied = options.baseline
    if applied is None:
        return []
    lines = [f"### Accepted risks (baseline {code(applied.source, in_table=False)})", ""]
    suppressed = suppressed_findings(scan, options)
    rows = []
    for outcome in suppressed[:MAX_SUPPRESSED_ROWS]:
        entry = applied.suppression_for(outcome)
        if entry is not None:
            rows.append([outcome.check.id, code(short_id(outcome.resource.id)), cell(outcome.zone.name),
                         cell(entry.owner), entry.expires.isoformat(), cell(entry.justification)])
    if rows:
        lines += table(["check", "resource", "zone", "owner", "until", "justification"], rows)
        if len(suppressed) > MAX_SUPPRESSED_ROWS:
            lines += ["", f"… {plural(len(suppressed) - MAX_SUPPRESSED_ROWS, 'more suppressed finding')}."]
    else:
        lines.append("No finding is suppressed.")
    notes = []
    for status, text in ((EntryStatus.EXPIRED, ":warning: **expired**, no longer suppresses"),
                         (EntryStatus.STALE, "**stale**, matches no finding: remove it"),
                         (EntryStatus.NOT_RUN, "not judged, its check did not run")):
        for entry in applied.with_status(status):
            notes.append(f"- `accepted_risks[{entry.index}]` {cell(entry.check)} on "
                         f"{code(entry.resource, in_table=False)} (owner {cell(entry.owner)}, until {entry.expires}): "
                         f"{text}")
    if notes:
        lines += ["", *notes]
    return [*lines, ""]


def _coverage(scan: ScanResult, options: ReportOptions) -> list[str]:
    gaps = scan.inventory.gaps
    unknown = scan.with_status(Status.UNKNOWN)
    lines = ["### Coverage", "", f"Region metadata: {cell(region_metadata_text(scan, options))}.", ""]
    if not gaps and not unknown:
        return [*lines, "Everything the checks needed was read and judged.", ""]
    lines.append(f"{plural(len(gaps), 'read error')} and {plural(len(unknown), 'unknown verdict')}: the "
                 "resources concerned were neither passed nor failed.")
    if gaps:
        rows = [[code(g.scope), code(g.data), cell((f"HTTP {g.status}: " if g.status else "") + g.error)]
                for g in gaps[:MAX_COVERAGE_ROWS]]
        lines += ["", *table(["scope", "data", "error"], rows)]
        if len(gaps) > MAX_COVERAGE_ROWS:
            lines += ["", f"… {plural(len(gaps) - MAX_COVERAGE_ROWS, 'more read error')}."]
    if unknown:
        rows = [[o.check.id, code(short_id(o.resource.id)), cell(o.zone.name),
                 cell(o.result.evidence.get("missing") or o.result.message)] for o in unknown[:MAX_COVERAGE_ROWS]]
        lines += ["", "<details><summary>Unknown verdicts</summary>", "",
                  *table(["check", "resource", "zone", "missing"], rows)]
        if len(unknown) > MAX_COVERAGE_ROWS:
            lines += ["", f"… {plural(len(unknown) - MAX_COVERAGE_ROWS, 'more unknown verdict')}."]
        lines += ["", "</details>"]
    return [*lines, ""]
