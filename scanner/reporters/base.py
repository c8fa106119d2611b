"""What every reporter is told besides the scan result, and the summaries they all show."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from scanner.baseline import AppliedBaseline
from scanner.check import Severity, Status
from scanner.engine import Outcome, ScanResult


@dataclass(frozen=True)
class ReportOptions:
    include_passed: bool = False
    mode: str = "snapshot"  # "snapshot" (offline) or "live"
    snapshot: str | None = None
    scopes: dict[str, Any] = field(default_factory=dict)
    baseline: AppliedBaseline | None = None
    sarif_category: str | None = None  # overrides the SARIF automationDetails.id derived from the scopes
    color: bool = False  # ANSI colour in the terminal report (only when writing to a terminal)
    width: int | None = None  # terminal width for the table report


def is_suppressed(outcome: Outcome, options: ReportOptions) -> bool:
    return options.baseline is not None and options.baseline.is_suppressed(outcome)


def active_findings(scan: ScanResult, options: ReportOptions) -> list[Outcome]:
    """Failing results no accepted risk covers, most severe first (deterministic order)."""
    return [o for o in scan.findings if not is_suppressed(o, options)]


def suppressed_findings(scan: ScanResult, options: ReportOptions) -> list[Outcome]:
    return [o for o in scan.findings if is_suppressed(o, options)]


def severity_counts(outcomes: Iterable[Outcome]) -> dict[str, int]:
    counts = dict.fromkeys((str(s) for s in Severity), 0)
    for outcome in outcomes:
        counts[str(outcome.severity)] += 1
    return counts


def scanned_subscriptions(scan: ScanResult, options: ReportOptions) -> list[str]:
    """The subscriptions the scan was asked to cover (live scope), else those the inventory holds."""
    chosen = options.scopes.get("subscriptions")
    if chosen:
        return sorted({str(s).lower() for s in chosen})
    return scan.inventory.subscription_ids


def zone_summaries(scan: ScanResult, options: ReportOptions | None = None) -> list[dict[str, Any]]:
    """Per landing zone: what it holds and what the checks made of it, so an auditor sees what was
    and was not examined (resources by type, checks run, passed / failed / suppressed / unknown)."""
    options = options or ReportOptions()
    types: dict[str, Counter[str]] = defaultdict(Counter)
    for resource in scan.inventory.resources:
        zone = scan.zone_of.get(resource.key) or scan.policy.zone_for(resource, scan.inventory)
        types[zone.name][resource.type] += 1
    statuses: dict[str, Counter[str]] = defaultdict(Counter)
    checks: dict[str, set[str]] = defaultdict(set)
    judged: dict[str, set[str]] = defaultdict(set)
    for outcome in scan.outcomes:
        name = outcome.zone.name
        statuses[name][str(outcome.status)] += 1
        checks[name].add(outcome.check.id)
        judged[name].add(outcome.resource.key)
        if outcome.status == Status.FAIL and is_suppressed(outcome, options):
            statuses[name]["suppressed"] += 1
    summaries = []
    for zone in scan.policy.all_zones:
        counts = statuses.get(zone.name, Counter())
        by_type = types.get(zone.name, Counter())
        summaries.append({
            **zone.to_json(),
            "resources": sum(by_type.values()),
            "resources_by_type": dict(sorted(by_type.items(), key=lambda kv: kv[0].lower())),
            "evaluated_resources": len(judged.get(zone.name, ())),
            "checks": sorted(checks.get(zone.name, ())),
            "results": {
                "evaluated": sum(counts[str(s)] for s in Status),
                "passed": counts[Status.PASS],
                "failed": counts[Status.FAIL],
                "suppressed": counts["suppressed"],
                "unknown": counts[Status.UNKNOWN],
                "not_applicable": counts[Status.NOT_APPLICABLE],
            },
        })
    return summaries


def iso(value: datetime | None) -> str | None:
    """UTC ISO 8601 with a Z suffix, as every report format writes times."""
    if value is None:
        return None
    if value.tzinfo:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat() + "Z"


def fit(values: Iterable[str], cap: int = 44) -> int:
    """A column width that keeps short ids on one line (they are what people search for), within reason."""
    return min(max((len(v) for v in values), default=8), cap)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def short_id(resource_id: str) -> str:
    """`rg/type/name` for humans: the subscription is named by the zone, the provider by the type."""
    parts = resource_id.split("/")
    lowered = [p.lower() for p in parts]
    if "resourcegroups" in lowered and "providers" in lowered:
        rg = parts[lowered.index("resourcegroups") + 1]
        tail = parts[lowered.index("providers") + 2:]
        names = tail[1::2]
        return f"{rg}/{'/'.join(names)}" if names else resource_id
    return resource_id
