"""The JSON report (schema: scanner/schemas/report.schema.json)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from scanner import TOOL_NAME, __version__
from scanner.check import Status
from scanner.engine import ScanResult
from scanner.reporters.base import ReportOptions, zone_summaries

REPORT_SCHEMA_VERSION = "1.0"


def report_document(scan: ScanResult, options: ReportOptions) -> dict[str, Any]:
    inventory = scan.inventory
    document: dict[str, Any] = {
        "schema_version": REPORT_SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": __version__},
        "scan": {
            "mode": options.mode,
            "snapshot": options.snapshot,
            "policy": scan.policy.source,
            "collected_at": _iso(inventory.collected_at),
            "scan_time": _iso(scan.scan_time),
            "started_at": _iso(scan.started_at),
            "finished_at": _iso(scan.finished_at),
            "scopes": {"subscriptions": inventory.subscription_ids, **options.scopes},
            "checks": [c.id for c in scan.checks],
        },
        "summary": {
            "resources": len(scan.zone_of),
            "findings": len(scan.findings),
            "findings_by_severity": scan.findings_by_severity(),
            "results": scan.counts(),
        },
        "zones": zone_summaries(scan),
        "findings": [o.to_json() for o in scan.findings],
        "coverage": {
            "complete": scan.coverage_complete,
            "region_metadata": inventory.regions.source,
            "read_errors": [g.to_json() for g in inventory.gaps],
            "unknown": [o.to_json() for o in scan.with_status(Status.UNKNOWN)],
        },
    }
    if options.include_passed:
        document["passed"] = [o.to_json() for o in scan.with_status(Status.PASS)]
    return document


def render_json(scan: ScanResult, options: ReportOptions) -> str:
    return json.dumps(report_document(scan, options), indent=2) + "\n"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None
