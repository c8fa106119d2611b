"""`bcdr-scan diff OLD.json NEW.json`: what changed between two JSON reports.

Findings are matched by (check id, resource id), case-insensitively as ARM ids are. A finding of
OLD that NEW no longer has is *fixed* only if NEW actually judged it again: when NEW could not
(the check did not run, the verdict was unknown, or the resource could not be listed) it is
*not re-judged* instead, never counted as a fix.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
from rich.console import Console
from rich.text import Text

from scanner import TOOL_NAME, __version__
from scanner.check import Severity
from scanner.errors import InputError
from scanner.reporters.base import ReportOptions, plural, report_width, short_id
from scanner.reporters.json_report import REPORT_SCHEMA_VERSION
from scanner.reporters.markdown import cell, code, table
from scanner.reporters.table import block_grid, body_column, finished, label_column, resource_text, text
from scanner.sanitize import json_text, scrub, terminal_text
from scanner.snapshot import read_json_file

DIFF_KIND = "bcdr-scan/diff"
Key = tuple[str, str]


@dataclass(frozen=True)
class LoadedReport:
    source: str
    document: dict[str, Any]

    def findings(self) -> dict[Key, dict[str, Any]]:
        """Every failing finding, active or suppressed (marked by its `suppression` status)."""
        found = {}
        for doc in [*self.document["findings"], *self.document["suppressed"]]:
            found[finding_key(doc)] = doc
        return found

    def meta(self) -> dict[str, Any]:
        scan = self.document["scan"]
        return {"report": self.source, "tool_version": self.document["tool"]["version"],
                "scan_time": scan["scan_time"], "subscriptions": scan["scopes"]["subscriptions"],
                "coverage_complete": self.document["coverage"]["complete"]}


@dataclass(frozen=True)
class ReportDiff:
    old: LoadedReport
    new: LoadedReport
    added: list[dict[str, Any]]
    fixed: list[dict[str, Any]]
    unchanged: list[dict[str, Any]]
    not_rejudged: list[dict[str, Any]]

    def blocking(self, fail_on: str) -> list[dict[str, Any]]:
        """New findings at or above `fail_on` that no accepted risk covers."""
        if fail_on == "none":
            return []
        threshold = Severity(fail_on).rank
        return [d for d in self.added if not is_suppressed(d) and Severity(d["severity"]).rank >= threshold]

    @property
    def scopes_differ(self) -> bool:
        return self.old.meta()["subscriptions"] != self.new.meta()["subscriptions"]


def finding_key(doc: dict[str, Any]) -> Key:
    return (str(doc["check_id"]).upper(), str(doc["resource"]["id"]).lower())


def is_suppressed(doc: dict[str, Any]) -> bool:
    return (doc.get("suppression") or {}).get("status") == "accepted"


def load_report(path: str | Path) -> LoadedReport:
    source = str(path)
    # Bounded as a snapshot file is: a FIFO or /dev/zero must not hang the diff, nor deep nesting crash it.
    document = read_json_file(path, "report")
    if not isinstance(document, dict) or document.get("kind") != "bcdr-scan/report":
        got = document.get("kind") if isinstance(document, dict) else type(document).__name__
        raise InputError(source, "kind", f"expected 'bcdr-scan/report', got {got!r}; give two JSON reports of "
                         "'bcdr-scan scan --format json'")
    # Another 1.x minor version may carry fields this one does not know: read it leniently.
    strict = document.get("schema_version") == REPORT_SCHEMA_VERSION
    error = jsonschema.exceptions.best_match(_validator(strict).iter_errors(document))
    if error is not None:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path).lstrip(".")
        raise InputError(source, where or None, error.message)
    return LoadedReport(source, document)


def diff_reports(old: LoadedReport, new: LoadedReport) -> ReportDiff:
    before, after = old.findings(), new.findings()
    unjudged = _unjudged(new.document)
    added = [after[k] for k in after if k not in before]
    unchanged = [_with_old_severity(after[k], before[k]) for k in after if k in before]
    gone = [before[k] for k in before if k not in after]
    fixed = [d for d in gone if not unjudged(d)]
    not_rejudged = [d for d in gone if unjudged(d)]
    return ReportDiff(old, new, _ordered(added), _ordered(fixed), _ordered(unchanged), _ordered(not_rejudged))


def _unjudged(document: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    """A predicate: could the NEW report have seen this finding again? If not, its absence proves nothing."""
    checks_run = {c.upper() for c in document["scan"]["checks"]}
    unknown = {finding_key(d) for d in document["coverage"]["unknown"]}
    unlisted = [(g["scope"].lower().rstrip("/"), g["data"].lower()) for g in document["coverage"]["read_errors"]]

    def unjudged(doc: dict[str, Any]) -> bool:
        key = finding_key(doc)
        if key[0] not in checks_run or key in unknown:
            return True
        resource_id, resource_type = key[1], str(doc["resource"]["type"]).lower()
        return any((resource_id == scope or resource_id.startswith(scope + "/")) and data in ("*", resource_type)
                   for scope, data in unlisted)

    return unjudged


def _with_old_severity(new_doc: dict[str, Any], old_doc: dict[str, Any]) -> dict[str, Any]:
    if new_doc["severity"] == old_doc["severity"]:
        return new_doc
    return {**new_doc, "old_severity": old_doc["severity"]}


def _ordered(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(docs, key=lambda d: (-Severity(d["severity"]).rank, *finding_key(d)))


# --- rendering --------------------------------------------------------------------------------
def diff_document(diff: ReportDiff) -> dict[str, Any]:
    return {
        "kind": DIFF_KIND,
        "tool": {"name": TOOL_NAME, "version": __version__},
        "old": diff.old.meta(),
        "new": diff.new.meta(),
        "scopes_differ": diff.scopes_differ,
        "summary": {"new": len(diff.added), "fixed": len(diff.fixed), "unchanged": len(diff.unchanged),
                    "not_rejudged": len(diff.not_rejudged),
                    "new_by_severity": {str(s): sum(d["severity"] == s for d in diff.added) for s in Severity}},
        "new_findings": diff.added,
        "fixed": diff.fixed,
        "not_rejudged": diff.not_rejudged,
        "unchanged": diff.unchanged,
    }


def render_diff(diff: ReportDiff, fmt: str, *, color: bool = False, width: int | None = None) -> str:
    """The diff as JSON, Markdown or a terminal table. Both reports are user files: every string from
    them is escaped for the format (sanitize) and the output is scrubbed of secrets."""
    if fmt == "json":
        return json_text(json.dumps(diff_document(diff), indent=2) + "\n")
    if fmt == "markdown":
        return _markdown(diff)
    return _table(diff, color, width)


def _headline(diff: ReportDiff) -> str:
    text = (f"{len(diff.added)} new, {len(diff.fixed)} fixed, {len(diff.unchanged)} unchanged"
            f"{f', {len(diff.not_rejudged)} not re-judged' if diff.not_rejudged else ''}")
    return text


def _warnings(diff: ReportDiff) -> list[str]:
    notes = []
    if diff.scopes_differ:
        notes.append("the two reports cover different subscriptions; findings outside the common scope show as "
                     "new or fixed")
    if diff.not_rejudged:
        notes.append(f"{plural(len(diff.not_rejudged), 'finding')} of the old report could not be judged again "
                     "(check not run, unknown verdict or unreadable resource): not counted as fixed")
    if not diff.new.document["coverage"]["complete"]:
        notes.append("the new report's coverage is incomplete")
    return notes


def _markdown(diff: ReportDiff) -> str:
    lines = [f"## {TOOL_NAME} diff: {_headline(diff)}", "",
             f"<sub>old {code(diff.old.source, in_table=False)} ({cell(diff.old.meta()['scan_time'])}) → new "
             f"{code(diff.new.source, in_table=False)} ({cell(diff.new.meta()['scan_time'])})</sub>", ""]
    lines += [f"- :warning: {note}" for note in _warnings(diff)]
    for title, docs in (("New findings", diff.added), ("Fixed", diff.fixed), ("Not re-judged", diff.not_rejudged)):
        lines += ["", f"### {title} ({len(docs)})", ""]
        if not docs:
            lines.append("None.")
            continue
        rows = [[cell(d["severity"]), cell(d["check_id"]), code(short_id(d["resource"]["id"])), cell(d["zone"]["name"]),
                 cell(d["message"]) + (" (suppressed)" if is_suppressed(d) else "")] for d in docs]
        lines += table(["severity", "check", "resource", "zone", "finding"], rows)
    return scrub("\n".join(lines) + "\n")


def _table(diff: ReportDiff, color: bool, width: int | None) -> str:
    """The same block layout as the scan's table report: reads at 80 columns and in a pipe."""
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, color_system="standard" if color else None,
                      width=report_width(ReportOptions(width=width)), highlight=False, emoji=False, markup=False,
                      legacy_windows=False)
    console.print(Text(f"{TOOL_NAME} diff: {_headline(diff)}", style="bold"))
    console.print(text(f"old {diff.old.source} ({diff.old.meta()['scan_time']}) → new {diff.new.source} "
                       f"({diff.new.meta()['scan_time']})", style="dim"))
    for note in _warnings(diff):
        console.print(Text(f"! {note}", style="yellow"))
    for title, docs, style in (("New findings", diff.added, "red"), ("Fixed", diff.fixed, "green"),
                               ("Not re-judged", diff.not_rejudged, "yellow")):
        if not docs:
            continue
        console.print()
        console.print(Text(f"{title} ({len(docs)})", style=f"bold {style}"))
        grid = block_grid(("severity", label_column("MEDIUM")), ("check", label_column("CHECK-0")),
                          ("body", body_column()))
        for d in docs:
            body = resource_text(str(d["resource"]["id"]), console.width)
            body.append(" · zone " + terminal_text(d["zone"]["name"]))
            body.append("\n" + terminal_text(d["message"]) + (" (suppressed)" if is_suppressed(d) else ""))
            grid.add_row(text(str(d["severity"]).upper()), text(d["check_id"]), body)
        console.print(grid)
    return finished(buffer.getvalue(), color)


@cache
def _validator(strict: bool = True) -> jsonschema.Draft202012Validator:
    schema = json.loads(resources.files("scanner").joinpath("schemas/report.schema.json").read_text("utf-8"))
    return jsonschema.Draft202012Validator(schema if strict else _open(schema))


def _open(node: Any) -> Any:
    """The schema without `additionalProperties: false`: unknown (newer) fields are ignored."""
    if isinstance(node, dict):
        return {k: _open(v) for k, v in node.items() if not (k == "additionalProperties" and v is False)}
    if isinstance(node, list):
        return [_open(v) for v in node]
    return node
