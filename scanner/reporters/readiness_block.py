"""The compact recovery-readiness block of the table, Markdown and HTML reports (above the findings): per zone
and scenario, the worst achievable RPO and RTO against the zone's, and how many resources meet, miss or
are unknown. The JSON report and SARIF run properties carry the full figures (scanner/recovery/readiness.py)."""

from __future__ import annotations

from collections.abc import Callable

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from checks.storage._replication import human_duration
from scanner.engine import ScanResult
from scanner.policy import format_duration
from scanner.recovery.figures import Kind, Verdict
from scanner.recovery.model import SCENARIOS, Scenario
from scanner.recovery.readiness import MODEL_URL, Worst, ZoneReadiness, readiness
from scanner.sanitize import terminal_text

SCENARIO_LABELS = {Scenario.REGIONAL: "regional", Scenario.DELETION: "deletion"}
SET_BY_SHOWN = 2
MAX_WIDTH = 1000
TITLE = "Recovery readiness (achievable against the zone's RPO / RTO)"
LEGEND = ("worst known RPO / RTO of the zone's resources, +n? figures unknown; resources meeting, missing, unknown "
          "(docs/recovery-model.md)")


def worst_text(worst: Worst) -> str:
    """`none`, `36h`, `-` (nothing known), with `+2?` when 2 figures are unknown."""
    figure = worst.figure
    if figure is None:
        shown = "-"
    elif figure.kind == Kind.NONE:
        shown = "none"
    else:
        shown = human_duration(figure.upper) if figure.upper is not None else "?"
    return shown + (f" +{worst.unknown}?" if worst.unknown else "")


def set_by_text(worst: Worst, names: int = SET_BY_SHOWN) -> str:
    shown = [r.name for r in worst.set_by[:names]]
    more = len(worst.set_by) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def zones_with_resources(scan: ScanResult) -> list[ZoneReadiness]:
    return [z for z in readiness(scan) if z.resources]


# --- the table report ----------------------------------------------------------------------------
def print_readiness(console: Console, scan: ScanResult) -> None:
    """The table where it fits whole (no zone name folded), else two lines a zone; then who sets each
    zone's worst regional figures."""
    zones = zones_with_resources(scan)
    if not zones:
        return
    console.print()
    table = _table(zones)
    if console.measure(table, options=console.options.update_width(MAX_WIDTH)).maximum <= console.width:
        console.print(table)
        console.print(Text(LEGEND, style="dim"))
        for zone in zones:
            if setters := _setters(zone):
                console.print(Text(terminal_text(f"{zone.zone.name}: {setters}"), style="dim"))
        return
    console.print(Text(TITLE, style="bold"))
    for zone in zones:
        console.print(text_line(f"{zone.zone.name} · target RPO {format_duration(zone.zone.rpo)} / RTO "
                                f"{format_duration(zone.zone.rto)}", "bold"))
        for scenario in SCENARIOS:
            found = zone.scenarios[scenario]
            meets, misses, unknown = (found.verdicts[v] for v in (Verdict.MEETS, Verdict.MISSES, Verdict.UNKNOWN))
            line = (f"{SCENARIO_LABELS[scenario]}: RPO {worst_text(found.rpo)}, RTO {worst_text(found.rto)} · "
                    f"{meets} meet, {misses} miss, {unknown} unknown")
            console.print(text_line(line, indent=2))
        if setters := _setters(zone):
            console.print(text_line(setters, "dim", indent=2))
    console.print(Text(LEGEND, style="dim"))


def text_line(value: str, style: str = "", indent: int = 0) -> Text:
    """One line of (partly untrusted) text; `terminal_text` makes it one line, so the indent is added after."""
    return Text(" " * indent + terminal_text(value), style=style)


def _setters(zone: ZoneReadiness) -> str:
    """Who sets the zone's worst regional RPO and RTO."""
    regional = zone.scenarios[Scenario.REGIONAL]
    parts = [f"{label} {set_by_text(w)}" for label, w in (("RPO", regional.rpo), ("RTO", regional.rto)) if w.set_by]
    return f"worst regional {'; '.join(parts)}" if parts else ""


def _table(zones: list[ZoneReadiness]) -> Table:
    table = Table(title=Text(TITLE, style="bold"), title_justify="left", box=box.SIMPLE_HEAD, collapse_padding=True,
                  pad_edge=False)
    table.add_column("zone", no_wrap=True)
    for column in ("target", "scenario", "RPO", "RTO"):
        table.add_column(column, no_wrap=True)
    for column in ("meet", "miss", "unkn."):
        table.add_column(column, justify="right", no_wrap=True)
    for zone in zones:
        for scenario in SCENARIOS:
            found = zone.scenarios[scenario]
            first = scenario is SCENARIOS[0]
            meets, misses, unknown = (found.verdicts[v] for v in (Verdict.MEETS, Verdict.MISSES, Verdict.UNKNOWN))
            table.add_row(Text(terminal_text(zone.zone.name) if first else ""),
                          Text(target_text(zone) if first else ""), SCENARIO_LABELS[scenario],
                          _figure_cell(found.rpo), _figure_cell(found.rto), str(meets),
                          Text(str(misses), style="red" if misses else ""),
                          Text(str(unknown), style="yellow" if unknown else ""))
    return table


def target_text(zone: ZoneReadiness) -> str:
    return f"{format_duration(zone.zone.rpo)} / {format_duration(zone.zone.rto)}"


def _figure_cell(worst: Worst) -> Text:
    bad = worst.figure is not None and worst.figure.kind == Kind.NONE
    return Text(worst_text(worst), style="red" if bad else "")


# --- the Markdown report -------------------------------------------------------------------------
Escape = Callable[[object], str]


def readiness_rows(scan: ScanResult, name: Escape, ids: Escape) -> list[list[object]]:
    """One row per zone with resources and scenario: zone, scenario, target, worst RPO and RTO (with who sets
    them), meeting, missing, unknown. `name` and `ids` escape a zone name and a resource name for the format."""
    rows: list[list[object]] = []
    for zone in zones_with_resources(scan):
        for scenario in SCENARIOS:
            found = zone.scenarios[scenario]
            counts = [found.verdicts[v] for v in (Verdict.MEETS, Verdict.MISSES, Verdict.UNKNOWN)]
            rows.append([name(zone.zone.name), scenario.title, target_text(zone), worst_with_setters(found.rpo, ids),
                         worst_with_setters(found.rto, ids), *counts])
    return rows


READINESS_HEADER = ("zone", "scenario", "target RPO / RTO", "worst RPO", "worst RTO", "meeting", "missing", "unknown")


def markdown_readiness(scan: ScanResult, cell: Escape, code: Escape) -> list[str]:
    """The readiness section; `cell` and `code` are the Markdown report's escaping functions."""
    rows = readiness_rows(scan, cell, code)
    if not rows:
        return []
    lines = ["### Recovery readiness", "",
             f"Worst achievable RPO and RTO of each zone's resources against its own ([model]({MODEL_URL})); "
             "`?` counts figures that are unknown (undocumented or not read).", "",
             "| " + " | ".join(READINESS_HEADER) + " |", "|" + "|".join(["---"] * 5 + ["--:"] * 3) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


def worst_with_setters(worst: Worst, ids: Escape) -> str:
    """`36h — a, b and 3 more`: the worst figure and (escaped by `ids`) the resources that set it."""
    text = worst_text(worst)
    names = [ids(r.name) for r in worst.set_by[:SET_BY_SHOWN]]
    more = len(worst.set_by) - len(names)
    if names:
        text += " — " + ", ".join(names) + (f" and {more} more" if more > 0 else "")
    return text
