"""What every reporter is told besides the scan result, and the summaries they all show."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from scanner.check import Status
from scanner.engine import ScanResult


@dataclass(frozen=True)
class ReportOptions:
    include_passed: bool = False
    mode: str = "snapshot"  # "snapshot" (offline) or "live"
    snapshot: str | None = None
    scopes: dict[str, Any] = field(default_factory=dict)


def zone_summaries(scan: ScanResult) -> list[dict[str, Any]]:
    """Per landing zone: resources by type and what the checks made of them (for auditors)."""
    types: dict[str, Counter[str]] = defaultdict(Counter)
    for key, zone in scan.zone_of.items():
        resource = scan.inventory.get(key)
        if resource:
            types[zone.name][resource.type] += 1
    statuses: dict[str, Counter[str]] = defaultdict(Counter)
    for outcome in scan.outcomes:
        statuses[outcome.zone.name][str(outcome.status)] += 1
    summaries = []
    for zone in scan.policy.all_zones:
        counts = statuses.get(zone.name, Counter())
        summaries.append({
            **zone.to_json(),
            "resources_by_type": dict(sorted(types.get(zone.name, Counter()).items())),
            "results": {
                "evaluated": sum(counts.values()),
                "passed": counts[Status.PASS],
                "failed": counts[Status.FAIL],
                "unknown": counts[Status.UNKNOWN],
                "not_applicable": counts[Status.NOT_APPLICABLE],
            },
        })
    return summaries
