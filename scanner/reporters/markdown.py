"""The Markdown report (`--format markdown`) for a GitHub job summary or a pull-request comment.

It is a summary: tables are capped (GitHub takes 1 MiB per job summary and 65,536 characters per
comment) and say how many rows were left out; the JSON report always has everything.
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
    severity_counts,
    short_id,
    suppressed_findings,
    zone_summaries,
)

MAX_FINDING_ROWS = 100
MAX_SUPPRESSED_ROWS = 50
MAX_COVERAGE_ROWS = 50


def render_markdown(scan: ScanResult, options: ReportOptions) -> str:
    active = active_findings(scan, options)
    lines = _header(scan, options, active)
    lines += _zones(scan, options)
    lines += _findings(active)
    lines += _accepted_risks(scan, options)
    lines += _coverage(scan)
    return "\n".join(lines).rstrip("\n") + "\n"


def cell(value: object) -> str:
    """Text that cannot break a table row or inject HTML."""
    text = " ".join(str(value).split())
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def code(value: object) -> str:
    # Inside a code span only the table's pipe needs escaping; HTML and backslashes are literal there.
    text = " ".join(str(value).split()).replace("`", "").replace("|", "\\|")
    return f"`{text}`"


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
    source = f"snapshot {code(options.snapshot)}" if options.snapshot else f"{options.mode} scan"
    return [
        f"## {TOOL_NAME}: BCDR compliance by landing zone",
        "",
        summary,
        "",
        f"<sub>{TOOL_NAME} {__version__} · {source} · policy {code(scan.policy.source)} · "
        f"collected {iso(scan.inventory.collected_at) or 'unknown'}</sub>",
        "",
    ]


def _zones(scan: ScanResult, options: ReportOptions) -> list[str]:
    rows = []
    for zone in zone_summaries(scan, options):
        r = zone["results"]
        regions = " → ".join(x for x in (zone["primary_region"], zone["secondary_region"]) if x) or "-"
        rows.append([cell(zone["name"]) + (" (default)" if zone["default"] else ""), zone["strategy"], zone["rpo"],
                     zone["rto"], regions, zone["resources"], zone["evaluated_resources"], len(zone["checks"]),
                     r["passed"], r["failed"], r["suppressed"], r["unknown"], r["not_applicable"]])
    lines = ["### Landing zones", ""]
    lines += table(["zone", "strategy", "RPO", "RTO", "regions", "resources", "judged", "checks", "passed",
                    "failed", "suppressed", "unknown", "n/a"], rows, ["---"] * 5 + ["--:"] * 8)
    details = [f"**{cell(z['name'])}**: " + (", ".join(f"{n} `{t}`" for t, n in z["resources_by_type"].items())
                                             or "no resources")
               for z in zone_summaries(scan, options)]
    lines += ["", "<details><summary>Resources by type</summary>", "", *(f"- {d}" for d in details), "",
              "</details>", ""]
    return lines


def _findings(active: list[Outcome]) -> list[str]:
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
                 cell(o.zone.name), cell(o.result.message), cell(o.result.requirement or "")] for o in group[:room]]
        if rows:
            lines += table(["check", "resource", "zone", "finding", "requirement"], rows)
        if len(group) > room:
            lines += ["", f"… {len(group) - room} more {severity} findings; the JSON report lists them all."]
        lines.append("")
        shown += len(rows)
    return lines


def _accepted_risks(scan: ScanResult, options: ReportOptions) -> list[str]:
    applied = options.baseline
    if applied is None:
        return []
    lines = [f"### Accepted risks (baseline {code(applied.source)})", ""]
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
            lines += ["", f"… {len(suppressed) - MAX_SUPPRESSED_ROWS} more suppressed findings."]
    else:
        lines.append("No finding is suppressed.")
    notes = []
    for status, text in ((EntryStatus.EXPIRED, ":warning: **expired**, no longer suppresses"),
                         (EntryStatus.STALE, "**stale**, matches no finding: remove it"),
                         (EntryStatus.NOT_RUN, "not judged, its check did not run")):
        for entry in applied.with_status(status):
            notes.append(f"- `accepted_risks[{entry.index}]` {cell(entry.check)} on {code(entry.resource)} "
                         f"(owner {cell(entry.owner)}, until {entry.expires}): {text}")
    if notes:
        lines += ["", *notes]
    return [*lines, ""]


def _coverage(scan: ScanResult) -> list[str]:
    gaps = scan.inventory.gaps
    unknown = scan.with_status(Status.UNKNOWN)
    lines = ["### Coverage", ""]
    if not gaps and not unknown:
        return [*lines, f"Everything the checks needed was read and judged (region metadata: "
                        f"{scan.inventory.regions.source}).", ""]
    lines.append(f"{plural(len(gaps), 'read error')} and {plural(len(unknown), 'unknown verdict')}: the "
                 "resources concerned were neither passed nor failed.")
    if gaps:
        rows = [[code(g.scope), code(g.data), cell((f"HTTP {g.status}: " if g.status else "") + g.error)]
                for g in gaps[:MAX_COVERAGE_ROWS]]
        lines += ["", *table(["scope", "data", "error"], rows)]
        if len(gaps) > MAX_COVERAGE_ROWS:
            lines += ["", f"… {len(gaps) - MAX_COVERAGE_ROWS} more read errors."]
    if unknown:
        rows = [[o.check.id, code(short_id(o.resource.id)), cell(o.zone.name),
                 cell(o.result.evidence.get("missing") or o.result.message)] for o in unknown[:MAX_COVERAGE_ROWS]]
        lines += ["", "<details><summary>Unknown verdicts</summary>", "",
                  *table(["check", "resource", "zone", "missing"], rows)]
        if len(unknown) > MAX_COVERAGE_ROWS:
            lines += ["", f"… {len(unknown) - MAX_COVERAGE_ROWS} more unknown verdicts."]
        lines += ["", "</details>"]
    return [*lines, ""]
