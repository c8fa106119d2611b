"""The HTML report (`--format html`): one self-contained page an auditor opens in a browser, offline.

It holds the scan's scope and summary, coverage and recovery readiness per landing zone, a zone by
service matrix coloured by the worst severity in each cell, every finding in a table that sorts by
column and filters by zone, service, severity and check (the filters and the sort order are read
from, and written to, the URL fragment: `report.html#severity=high&zone=dlz-sales` is a link to
that view), the source-map summary, accepted risks and coverage gaps.

Nothing is fetched: the style sheet and the script are inline and a Content-Security-Policy allows
only them (scanner/reporters/html_assets.py). The rows are rendered here, so the page reads and
prints without a script; the findings are also embedded as JSON (`script_json`: no text in them can
end the block), which the script filters and sorts the rows by. Every piece of text from ARM or a
user file goes through `html_text`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from html import escape
from operator import attrgetter
from typing import Any
from urllib.parse import urlencode

from scanner import TOOL_NAME, __version__
from scanner.baseline import EntryStatus
from scanner.check import Severity, Status
from scanner.docs import DOCS_URL
from scanner.engine import Outcome, ScanResult
from scanner.recovery.readiness import MODEL_URL
from scanner.reporters.base import (
    ReportOptions,
    active_findings,
    counted_resources,
    coverage_gaps_text,
    iso,
    plural,
    region_metadata_text,
    requirement_text,
    scanned_subscriptions,
    severity_counts,
    short_id,
    source_text,
    suppressed_findings,
    zone_summaries,
)
from scanner.reporters.html_assets import CONTENT_SECURITY_POLICY, CSS, NOSCRIPT_CSS, SCRIPT
from scanner.reporters.readiness_block import READINESS_HEADER, readiness_rows
from scanner.sanitize import html_text, script_json, terminal_text

MAX_COVERAGE_ROWS = 1000  # read errors and unknown verdicts each; the JSON report lists them all
FILTERS = ("zone", "service", "severity", "check")
FINDING_COLUMNS = ("check", "severity", "zone", "service", "resource", "message", "source")


def render_html(scan: ScanResult, options: ReportOptions) -> str:
    active = active_findings(scan, options)
    rows = [finding_row(o, options) for o in active]
    zones = zone_summaries(scan, options)
    sections = [
        *_header(scan, options, active),
        *_zones(zones),
        *_readiness(scan),
        *_matrix(scan, zones, active),
        *_findings(rows, active, options),
        *_source_summary(scan, options),
        *_accepted_risks(scan, options),
        *_coverage(scan, options),
    ]
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{TOOL_NAME}: BCDR compliance report</title>",
        f"<style>{CSS}</style>",
        f"<noscript><style>{NOSCRIPT_CSS}</style></noscript>",
        "</head>",
        "<body>",
        *sections,
        f'<script type="application/json" id="findings-data">{script_json({"findings": rows})}</script>',
        f"<script>{SCRIPT}</script>",
        "</body>",
        "</html>",
        "",
    ])


def finding_row(outcome: Outcome, options: ReportOptions) -> dict[str, str]:
    """A finding as the table shows it and the script filters and sorts it: the same display text in the
    cells and the JSON (`terminal_text`: one line, no control character, secrets replaced), so a filter
    value taken from a cell or a select box is equal to the data's."""
    return {
        "check": terminal_text(outcome.check.id),
        "severity": str(outcome.severity),
        "zone": terminal_text(outcome.zone.name),
        "service": terminal_text(outcome.check.service),
        "resource": terminal_text(short_id(outcome.resource.id)),
        "message": terminal_text(outcome.result.message),
        "source": terminal_text(source_text(outcome, options)[0]),
    }


# --- small builders: every argument that is text from outside goes through html_text -----------------
def esc(value: object) -> str:
    return html_text(value)


def code(value: object) -> str:
    return f"<code>{html_text(value)}</code>"


def fragment_link(text: str, **filters: str) -> str:
    """A link to this page filtered (`#zone=...&service=...`, as URLSearchParams reads it): `filters` are
    display text (`finding_row`'s), `text` is HTML."""
    return f'<a href="#{escape(urlencode(filters))}">{text}</a>'


def table(header: Sequence[str], rows: Iterable[Sequence[object]], *, numeric_from: int | None = None,
          attrs: str = "") -> list[str]:
    """A table of cells that are already HTML; columns from `numeric_from` on are right-aligned numbers."""
    def cell(tag: str, index: int, value: object) -> str:
        numeric = ' class="num"' if numeric_from is not None and index >= numeric_from else ""
        return f"<{tag}{numeric}>{value}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(header))
    lines = [f"<table{attrs}>", f"<thead><tr>{head}</tr></thead>", "<tbody>"]
    lines += ["<tr>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>" for row in rows]
    return [*lines, "</tbody>", "</table>"]


def left_out(total: int, shown: int, noun: str) -> list[str]:
    return [f'<p class="muted">… {plural(total - shown, f"more {noun}")}; the JSON report lists them all.</p>'] \
        if total > shown else []


# --- sections --------------------------------------------------------------------------------------------
def _header(scan: ScanResult, options: ReportOptions, active: list[Outcome]) -> list[str]:
    inventory = scan.inventory
    source = f"snapshot {options.snapshot}" if options.snapshot else f"{options.mode} scan"
    meta = [("tool", f"{TOOL_NAME} {__version__}"), ("source", source), ("policy", scan.policy.source),
            *([("baseline", options.baseline.source)] if options.baseline else []),
            ("subscriptions", ", ".join(scanned_subscriptions(scan, options)) or "none"),
            *((key, _scope_text(value)) for key, value in options.scopes.items() if key != "subscriptions"),
            ("collected", iso(inventory.collected_at) or "unknown"), ("evaluated", iso(scan.scan_time) or "unknown"),
            ("checks run", str(len(scan.checks)))]
    counts = severity_counts(active)
    by_severity = ", ".join(f'<span class="sev-{s}" data-severity-count="{s}">{n}</span> {s}'
                            for s, n in counts.items() if n)
    summary = (f'<span class="count" data-count="findings">{len(active)}</span> '
               f"finding{'' if len(active) == 1 else 's'}" + (f" ({by_severity})" if by_severity else ""))
    suppressed = len(suppressed_findings(scan, options))
    summary += f' · <span data-count="suppressed">{suppressed}</span> suppressed by the baseline'
    summary += f' · <span data-count="resources">{len(counted_resources(scan))}</span> resources'
    if scan.coverage_complete:
        summary += ' · coverage <span data-count="coverage">complete</span>'
    else:
        summary += (f' · <strong>coverage <span data-count="coverage">incomplete</span></strong> '
                    f"({coverage_gaps_text(scan)})")
    return [f"<header><h1>{TOOL_NAME}: BCDR compliance by landing zone</h1>",
            '<dl class="meta">', *(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in meta), "</dl>",
            f'<p class="summary" id="summary">{summary}</p></header>']


def _scope_text(value: Any) -> str:
    return ", ".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)


def _zones(zones: list[dict[str, Any]]) -> list[str]:
    rows = []
    for zone in zones:
        r = zone["results"]
        regions = " → ".join(x for x in (zone["primary_region"], zone["secondary_region"]) if x) or "-"
        rows.append([esc(zone["name"]) + (" (default)" if zone["default"] else ""), esc(zone["strategy"]),
                     esc(zone["rpo"]), esc(zone["rto"]), esc(regions), zone["resources"], len(zone["checks"]),
                     r["passed"], r["failed"], r["suppressed"], r["unknown"], r["not_applicable"]])
    header = ["zone", "strategy", "RPO", "RTO", "regions", "resources", "checks", "passed", "failed", "suppressed",
              "unknown", "n/a"]
    types = [f"<li><strong>{esc(z['name'])}</strong>: "
             + (", ".join(f"{n} {code(t)}" for t, n in z["resources_by_type"].items()) or "no resources") + "</li>"
             for z in zones]
    return ['<section id="zones"><h2>Coverage by landing zone</h2>',
            '<p class="muted">What each zone holds and what the checks made of it: results passed, failed, '
            "suppressed by the baseline, unknown (could not be judged) and not applicable.</p>",
            *table(header, rows, numeric_from=5), "<h3>Resources by type</h3>", '<ul class="types">', *types, "</ul>",
            "</section>"]


def _readiness(scan: ScanResult) -> list[str]:
    rows = readiness_rows(scan, esc, code)
    if not rows:
        return []
    return ['<section id="readiness"><h2>Recovery readiness</h2>',
            f'<p class="muted">Worst achievable RPO and RTO of each zone\'s resources against its own '
            f'(<a href="{esc(MODEL_URL)}">model</a>); <code>+n?</code> counts figures that are unknown '
            "(undocumented or not read).</p>",
            *table(READINESS_HEADER, rows, numeric_from=5), "</section>"]


def _matrix(scan: ScanResult, summaries: list[dict[str, Any]], active: list[Outcome]) -> list[str]:
    """Zones (rows) by services (columns): findings per cell, coloured by the worst severity in it; a cell
    links to the findings table filtered to it."""
    services = sorted(set(map(attrgetter("check.service"), scan.outcomes)), key=str.lower)
    cells: dict[tuple[str, str], list[Outcome]] = defaultdict(list)
    for outcome in active:
        cells[(outcome.zone.name, outcome.check.service)].append(outcome)
    per_zone = Counter(o.zone.name for o in active)
    zones = [z["name"] for z in summaries if z["resources"] or per_zone[z["name"]]]
    header = "".join(f'<th class="service" scope="col">{esc(s)}</th>' for s in services)
    lines = ['<section id="matrix"><h2>Findings by zone and service</h2>',
             '<p class="muted">Each cell counts the findings of a zone and service and takes the colour of the '
             "most severe; select one to see its findings.</p>",
             '<table class="matrix">', f'<thead><tr><th scope="col">zone</th>{header}'
             '<th scope="col">all</th></tr></thead>', "<tbody>"]
    for zone in zones:
        row = "".join(_matrix_cell(cells.get((zone, s), []), zone=zone, service=s) for s in services)
        total = _matrix_cell([o for s in services for o in cells.get((zone, s), [])], zone=zone)
        lines.append(f'<tr><th scope="row">{esc(zone)}</th>{row}{total}</tr>')
    totals = "".join(_matrix_cell([o for z in zones for o in cells.get((z, s), [])], service=s) for s in services)
    lines += [f'<tr class="total"><th scope="row">all</th>{totals}{_matrix_cell(active)}</tr>', "</tbody>",
              "</table>", "</section>"]
    return lines


def _matrix_cell(findings: list[Outcome], **where: str) -> str:
    worst = max((o.severity for o in findings), key=attrgetter("rank"), default=None)
    where = {key: terminal_text(value) for key, value in where.items()}  # the filter values of finding_row
    data = "".join(f' data-{key}="{escape(value)}"' for key, value in where.items())
    attrs = f'class="cell-{worst or "none"}"{data} data-count="{len(findings)}"'
    if not findings:
        return f"<td {attrs}>0</td>"
    title = f' title="worst: {worst}"'
    return f"<td {attrs}{title}>{fragment_link(str(len(findings)), **where)}</td>"


def _findings(rows: list[dict[str, str]], active: list[Outcome], options: ReportOptions) -> list[str]:
    counts = {s: n for s, n in severity_counts(active).items() if n}
    shown = ", ".join(f'<span class="sev-{s}" data-shown-severity="{s}">{n}</span> {s}' for s, n in counts.items())
    lines = ['<section id="findings-section"><h2>Findings</h2>', *_controls(rows),
             f'<p id="shown"><span id="shown-count">{len(rows)}</span> of <span id="total-count">{len(rows)}</span> '
             f"findings" + (f" ({shown})" if shown else "") + "</p>",
             '<table id="findings" class="wide pending"><thead><tr>',
             *(f'<th data-key="{c}" aria-sort="none" scope="col"><button type="button">{c}</button></th>'
               for c in FINDING_COLUMNS),
             "</tr></thead>", "<tbody>"]
    lines += [_finding_tr(row, outcome, options) for row, outcome in zip(rows, active, strict=True)]
    lines += ["</tbody>", "</table>"]
    if not rows:
        lines.append("<p>No findings.</p>")
    return [*lines, "</section>"]


def _controls(rows: list[dict[str, str]]) -> list[str]:
    """The filter boxes, hidden until the script shows them (without a script they could do nothing)."""
    lines = ['<div class="controls" id="controls" hidden>']
    for key in FILTERS:
        values = sorted({row[key] for row in rows}, key=_filter_order(key))
        options = "".join(f'<option value="{escape(v)}">{escape(v)}</option>' for v in values)
        lines.append(f'<label>{key}<select id="filter-{key}"><option value="">all</option>{options}</select></label>')
    lines += ['<button type="button" id="filter-reset">show all</button>', "</div>"]
    return lines


def _filter_order(key: str) -> Any:
    if key == "severity":
        return lambda value: -Severity(value).rank
    return str.lower


def _finding_tr(row: dict[str, str], outcome: Outcome, options: ReportOptions) -> str:
    requirement = requirement_text(outcome, with_zone=False)
    located = source_text(outcome, options)[1]  # (the source map keeps its matches: no second search)
    text = {key: escape(value) for key, value in row.items()}  # (already display text: escaped only)
    cells = [
        f'<a href="{esc(DOCS_URL.format(id=outcome.check.id))}">{text["check"]}</a>',
        f'<span class="sev sev-{text["severity"]}">{text["severity"]}</span>',
        text["zone"],
        text["service"],
        f'<code title="{esc(outcome.resource.id)}">{text["resource"]}</code>',
        text["message"] + (f'<div class="req">{esc(requirement)}</div>' if requirement else ""),
        f"<code>{text['source']}</code>" if located else text["source"],
    ]
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _source_summary(scan: ScanResult, options: ReportOptions) -> list[str]:
    if options.source_map is None:
        return []
    counts = options.source_map.counts(scan.findings)
    root = options.source_map.prefix or "."
    return ['<section id="source-map"><h2>Source map</h2>',
            f"<p>Findings located in the infrastructure-as-code under {code(root)} that declares their resource "
            f"(of {len(scan.findings)}, suppressed included):</p>",
            *table(["mapped", "ambiguous", "unmapped"], [[counts["mapped"], counts["ambiguous"], counts["unmapped"]]],
                   numeric_from=0),
            '<p class="muted">Ambiguous: several declarations could deploy the resource, so none is named.</p>',
            "</section>"]


def _accepted_risks(scan: ScanResult, options: ReportOptions) -> list[str]:
    applied = options.baseline
    if applied is None:
        return []
    rows = []
    for outcome in suppressed_findings(scan, options):
        entry = applied.suppression_for(outcome)
        if entry is not None:
            rows.append([esc(outcome.check.id), code(short_id(outcome.resource.id)), esc(outcome.zone.name),
                         esc(entry.owner), esc(entry.expires.isoformat()), esc(entry.justification)])
    lines = [f'<section id="accepted-risks"><h2>Accepted risks (baseline {code(applied.source)})</h2>']
    lines += table(["check", "resource", "zone", "owner", "until", "justification"], rows) if rows else \
        ["<p>No finding is suppressed.</p>"]
    notes = [f"<li>{code(f'accepted_risks[{e.index}]')} {esc(e.check)} on {code(e.resource)} (owner {esc(e.owner)}, "
             f"until {esc(e.expires)}): {text}</li>"
             for status, text in ((EntryStatus.EXPIRED, "<strong>expired</strong>, no longer suppresses"),
                                  (EntryStatus.STALE, "<strong>stale</strong>, matches no finding: remove it"),
                                  (EntryStatus.NOT_RUN, "not judged, its check did not run"))
             for e in applied.with_status(status)]
    if notes:
        lines += ["<ul>", *notes, "</ul>"]
    return [*lines, "</section>"]


def _coverage(scan: ScanResult, options: ReportOptions) -> list[str]:
    gaps = scan.inventory.gaps
    unknown = scan.with_status(Status.UNKNOWN)
    lines = ['<section id="coverage"><h2>Coverage gaps</h2>',
             f"<p>Region metadata: {esc(region_metadata_text(scan, options))}.</p>"]
    if not gaps and not unknown:
        return [*lines, "<p>Everything the checks needed was read and judged.</p>", "</section>"]
    lines.append(f'<p><span data-count="read-errors">{len(gaps)}</span> read error{"" if len(gaps) == 1 else "s"} '
                 f'and <span data-count="unknown">{len(unknown)}</span> unknown verdict'
                 f'{"" if len(unknown) == 1 else "s"}: the resources concerned were neither passed nor failed.</p>')
    if gaps:
        rows = [[code(g.scope), code(g.data), esc((f"HTTP {g.status}: " if g.status else "") + g.error)]
                for g in gaps[:MAX_COVERAGE_ROWS]]
        lines += ["<h3>Read errors</h3>", *table(["scope", "data", "error"], rows, attrs=' class="wide"'),
                  *left_out(len(gaps), MAX_COVERAGE_ROWS, "read error")]
    if unknown:
        rows = [[esc(o.check.id), code(short_id(o.resource.id)), esc(o.zone.name),
                 esc(o.result.evidence.get("missing") or o.result.message)] for o in unknown[:MAX_COVERAGE_ROWS]]
        lines += ["<h3>Unknown verdicts</h3>", *table(["check", "resource", "zone", "missing"], rows,
                                                      attrs=' class="wide"'),
                  *left_out(len(unknown), MAX_COVERAGE_ROWS, "unknown verdict")]
    return [*lines, "</section>"]
