"""Evaluation: every selected check against every resource of its type, in the resource's zone."""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from scanner.check import Check, EvaluationContext, Result, Severity, Status
from scanner.model import Inventory, Resource
from scanner.policy import Policy, Zone


@dataclass(frozen=True)
class Outcome:
    """One check's verdict on one resource, with the zone it was judged against."""

    check: Check
    resource: Resource
    zone: Zone
    result: Result

    @property
    def status(self) -> Status:
        return self.result.status

    @property
    def severity(self) -> Severity:
        return self.result.severity or self.check.severity

    @property
    def key(self) -> tuple[str, str]:
        """Stable identity across scans: the same check failing on the same resource."""
        return (self.check.id, self.resource.key)

    def sort_key(self) -> tuple[Any, ...]:
        return (-self.severity.rank, self.check.id, self.resource.key)

    def to_json(self) -> dict[str, Any]:
        r = self.resource
        return {
            "check_id": self.check.id,
            "title": self.check.title,
            "status": str(self.status),
            "severity": str(self.severity),
            "resource": {
                "id": r.id,
                "type": r.type,
                "name": r.name,
                "location": r.location,
                "subscription_id": r.subscription_id,
                "resource_group": r.resource_group,
            },
            "zone": {"name": self.zone.name, "strategy": str(self.zone.strategy)},
            "requirement": self.result.requirement,
            "message": self.result.message,
            "evidence": {**self.result.evidence, "zone": self.zone.name},
            "remediation": self.check.remediation.summary,
        }


@dataclass
class ScanResult:
    inventory: Inventory
    policy: Policy
    checks: list[Check]
    outcomes: list[Outcome]
    scan_time: datetime
    started_at: datetime
    finished_at: datetime
    zone_of: dict[str, Zone] = field(default_factory=dict)

    def with_status(self, status: Status) -> list[Outcome]:
        return sorted((o for o in self.outcomes if o.status == status), key=Outcome.sort_key)

    @property
    def findings(self) -> list[Outcome]:
        return self.with_status(Status.FAIL)

    @property
    def coverage_complete(self) -> bool:
        return not self.inventory.gaps and not any(o.status == Status.UNKNOWN for o in self.outcomes)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys((str(s) for s in Status), 0)
        for outcome in self.outcomes:
            counts[str(outcome.status)] += 1
        return counts

    def findings_by_severity(self) -> dict[str, int]:
        counts = dict.fromkeys((str(s) for s in Severity), 0)
        for outcome in self.findings:
            counts[str(outcome.severity)] += 1
        return counts


def tune_gc_for_batch() -> None:
    """A scan allocates millions of small, acyclic objects (ARM JSON, results); the default GC
    thresholds make it traverse the whole heap over and over (bench/bench_evaluate.py: ~40% of
    the run). Collecting less often costs a little memory and nothing else."""
    gc.set_threshold(200_000, 50, 100)


def evaluate(inventory: Inventory, policy: Policy, checks: Iterable[Check],
             scan_time: datetime | None = None) -> ScanResult:
    """Judge the inventory. `scan_time` defaults to when the inventory was collected, so an
    offline re-evaluation of a snapshot gives the same verdicts as the scan that made it."""
    started = datetime.now(UTC)
    # The inventory is read-only from here on: moving it out of the cyclic collector's reach keeps
    # the GC from re-walking 100,000s of documents on every collection.
    gc.freeze()
    checks = list(checks)
    scan_time = scan_time or inventory.collected_at or started
    by_type: dict[str, list[Check]] = defaultdict(list)
    for check in checks:
        for resource_type in check.resource_types():
            by_type[resource_type.lower()].append(check)
    outcomes: list[Outcome] = []
    zone_of: dict[str, Zone] = {}
    for resource in inventory.resources:
        candidates = [c for c in by_type.get(resource.type_key, ()) if c.applies_to(resource)]
        if not candidates:
            continue
        zone = policy.zone_for(resource, inventory)
        zone_of[resource.key] = zone
        ctx = EvaluationContext(inventory, zone, policy, scan_time)
        outcomes.extend(Outcome(c, resource, zone, _run(c, resource, ctx)) for c in candidates)
    return ScanResult(inventory, policy, checks, outcomes, scan_time, started, datetime.now(UTC), zone_of)


def _run(check: Check, resource: Resource, ctx: EvaluationContext) -> Result:
    # A payload of an unexpected shape must not crash the scan, and must never count as a pass.
    try:
        return check.evaluate(resource, ctx)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return Result(Status.UNKNOWN, f"cannot judge: malformed or unexpected data ({type(exc).__name__}: {exc})",
                      {"missing": "well-formed resource properties", "error": f"{type(exc).__name__}: {exc}"})
