"""The JSON report (schema: scanner/schemas/report.schema.json).

Findings come in a deterministic order (severity, check id, resource id) so two reports of the
same estate differ only where the estate does; `bcdr-scan diff` compares two of them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from scanner import INFORMATION_URI, TOOL_NAME, __version__
from scanner.check import Status
from scanner.engine import Outcome, ScanResult
from scanner.iac.sourcemap import Match
from scanner.jsonwrite import indented_json
from scanner.recovery.readiness import readiness_json
from scanner.reporters.base import (
    ReportOptions,
    active_findings,
    counted_resources,
    iso,
    scanned_subscriptions,
    severity_counts,
    suppressed_findings,
    zone_summaries,
)
from scanner.sanitize import json_bytes

REPORT_KIND = "bcdr-scan/report"
REPORT_SCHEMA_VERSION = "1.1"  # 1.1 added `readiness` and `summary.source_map`


def report_document(scan: ScanResult, options: ReportOptions) -> dict[str, Any]:
    inventory = scan.inventory
    active = active_findings(scan, options)
    suppressed = suppressed_findings(scan, options)
    document: dict[str, Any] = {
        "kind": REPORT_KIND,
        "schema_version": REPORT_SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": __version__, "information_uri": INFORMATION_URI},
        "scan": {
            "mode": options.mode,
            "snapshot": options.snapshot,
            "policy": scan.policy.source,
            "baseline": options.baseline.source if options.baseline else None,
            "collected_at": iso(inventory.collected_at),
            "scan_time": iso(scan.scan_time),
            "started_at": iso(scan.started_at),
            "finished_at": iso(scan.finished_at),
            "scopes": {**options.scopes, "subscriptions": scanned_subscriptions(scan, options)},
            "checks": [c.id for c in scan.checks],
        },
        "summary": {
            "resources": len(counted_resources(scan)),
            "findings": len(active),
            "suppressed": len(suppressed),
            "findings_by_severity": severity_counts(active),
            "results": scan.counts(),
            "coverage_complete": scan.coverage_complete,
            **({"source_map": options.source_map.counts(scan.findings)} if options.source_map else {}),
        },
        "zones": zone_summaries(scan, options),
        "readiness": readiness_json(scan),
        "findings": [finding_json(o, options) for o in active],
        "suppressed": [finding_json(o, options) for o in suppressed],
        "baseline": _baseline_json(options),
        "coverage": {
            "complete": scan.coverage_complete,
            "region_metadata": inventory.regions.source,
            "read_errors": [g.to_json() for g in inventory.gaps],
            "unknown": [o.to_json() for o in scan.with_status(Status.UNKNOWN)],
        },
    }
    if options.source_map is not None:
        document["source_map"] = options.source_map.summary(scan.findings)
    if options.include_passed:
        document["passed"] = [o.to_json() for o in scan.with_status(Status.PASS)]
    return document


def finding_json(outcome: Outcome, options: ReportOptions) -> dict[str, Any]:
    """A finding, with the accepted risk that suppresses it (or the expired one that no longer does)."""
    document = outcome.to_json()
    if options.baseline is not None:
        suppression = options.baseline.suppression_json(outcome)
        if suppression is not None:
            document["suppression"] = suppression
    if options.source_map is not None:
        document["source"] = source_json(options.source_map.match(outcome))
    return document


def source_json(match: Match) -> dict[str, Any]:
    """Where the finding's resource is declared: the file and line, or why there is none."""
    if match.location is not None:
        return {"status": match.status, **match.location.to_json()}
    return {"status": match.status, **({"candidates": match.candidates} if match.candidates else {})}


def render_json(scan: ScanResult, options: ReportOptions) -> bytes:
    """The report as the ASCII bytes written, faithful to the data (JSON escapes control characters
    itself) except that secrets (anything shaped like a JWT, the live token) are replaced (`json_bytes`)."""
    # Temporaries all the way: each step owns, and lets go of, what the one before made (64 MB each); bytes
    # throughout, as written (a str would be two more copies, decoded and encoded again).
    return json_bytes(indented_json(report_document(scan, options), jsonable))


def jsonable(value: Any) -> Any:
    """Evidence may carry times and durations; write them the way the rest of the report does."""
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return f"PT{int(value.total_seconds())}S"
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
    return str(value)


def _baseline_json(options: ReportOptions) -> dict[str, Any] | None:
    applied = options.baseline
    if applied is None:
        return None
    return {
        "source": applied.source,
        "scan_date": applied.scan_date.isoformat(),
        "entries": [applied.entry_json(e) for e in applied.entries],
    }
