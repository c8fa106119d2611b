"""Evaluation: every selected check against every resource of its type, in the resource's zone."""

from __future__ import annotations

import gc
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from scanner.check import SEVERITY_RANK, Check, EvaluationContext, Result, Severity, Status
from scanner.errors import one_line
from scanner.model import Inventory, Resource
from scanner.policy import Policy, Zone


@dataclass(slots=True)
class Outcome:
    """One check's verdict on one resource, with the zone it was judged against (not frozen, for speed:
    see Result)."""

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
        # The properties inlined: a report sorts 50,000 outcomes at 100,000 resources.
        check = self.check
        return (-SEVERITY_RANK[self.result.severity or check.severity], check.id, self.resource.key)

    def to_json(self) -> dict[str, Any]:
        # Attributes read once each (51,000 outcomes a report at 100,000 resources).
        r, check, zone, result = self.resource, self.check, self.zone, self.result
        return {
            "check_id": check.id,
            "title": check.title,
            "status": str(result.status),
            "severity": str(result.severity or check.severity),
            "resource": {
                "id": r.id,
                "type": r.type,
                "name": r.name,
                "location": r.location,
                "subscription_id": r.subscription_id,
                "resource_group": r.resource_group,
            },
            "zone": {"name": zone.name, "strategy": str(zone.strategy)},
            "requirement": result.requirement,
            "message": result.message,
            "evidence": {**result.evidence, "zone": zone.name},
            "remediation": check.remediation.summary,
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
    # The outcomes of each status, grouped once and each group sorted (in report order) when first asked
    # for: a report asks for the findings four times and for the unknown verdicts twice, of 259,000
    # outcomes at 100,000 resources. Keyed by the list and its length, so a caller replacing or
    # extending `outcomes` is not given a stale answer.
    _groups: tuple[tuple[int, int], dict[Status, list[Outcome]]] | None = field(default=None, init=False,
                                                                              repr=False, compare=False)
    _sorted: set[Status] = field(default_factory=set, init=False, repr=False, compare=False)

    def with_status(self, status: Status) -> list[Outcome]:
        groups = self._by_status()
        if status not in self._sorted:
            groups.get(status, []).sort(key=Outcome.sort_key)
            self._sorted.add(status)
        return list(groups.get(status, ()))

    def _by_status(self) -> dict[Status, list[Outcome]]:
        key = (id(self.outcomes), len(self.outcomes))
        if self._groups is None or self._groups[0] != key:
            groups: dict[Status, list[Outcome]] = defaultdict(list)
            for outcome in self.outcomes:
                groups[outcome.result.status].append(outcome)
            self._groups, self._sorted = (key, dict(groups)), set()
        return self._groups[1]

    @property
    def findings(self) -> list[Outcome]:
        return self.with_status(Status.FAIL)

    @property
    def coverage_complete(self) -> bool:
        return not self.inventory.gaps and Status.UNKNOWN not in self._by_status()

    def counts(self) -> dict[str, int]:
        groups = self._by_status()
        return {str(s): len(groups.get(s, ())) for s in Status}

    def findings_by_severity(self) -> dict[str, int]:
        counts = dict.fromkeys((str(s) for s in Severity), 0)
        for outcome in self.findings:
            counts[str(outcome.severity)] += 1
        return counts


def tune_gc_for_batch() -> None:
    """A scan allocates millions of small, acyclic objects (ARM JSON, results); the default GC
    thresholds make it traverse the whole heap over and over (bench/bench_evaluate.py: ~40% of
    the run). A young-generation collection walks every object allocated since the last one and,
    the data being acyclic, frees nothing: at 200,000 objects a 100,000-resource scan paid ten of
    them (0.6 s); at 3,000,000 (more than such a scan allocates) none. Collecting less often costs
    a little memory (cycles wait longer) and nothing else."""
    gc.set_threshold(3_000_000, 50, 100)


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
    # Asked per resource only of the checks that narrow the type (Check.applies_to says yes to all).
    narrowing = {id(c) for c in checks if getattr(c.applies_to, "__func__", None) is not Check.applies_to}
    # Where no check of a type narrows it, every resource of the type has the same candidates: one list.
    fixed = {t: [(c, None) for c in of_type] for t, of_type in by_type.items()
             if not any(id(c) in narrowing for c in of_type)}
    outcomes: list[Outcome] = []
    zone_of: dict[str, Zone] = {}
    contexts: dict[int, EvaluationContext] = {}  # one per zone (by identity: a Zone's dicts make it unhashable)
    messages: dict[str, str] = {}  # each distinct message once (see _run)
    for resource in inventory.resources:
        candidates = fixed.get(resource.type_key)
        if candidates is None:
            candidates = _candidates(by_type.get(resource.type_key, ()), resource, narrowing)
            if not candidates:
                continue
        try:
            zone = policy.zone_for(resource, inventory)
        except DATA_ERRORS as exc:  # tags or ids too malformed to match: judged in the default zone, unknown
            zone_of[resource.key] = policy.default_zone
            outcomes.extend(Outcome(c, resource, policy.default_zone, _malformed(resource, exc, "landing zone"))
                            for c, _ in candidates)
            continue
        zone_of[resource.key] = zone
        ctx = contexts.get(id(zone))
        if ctx is None:
            ctx = contexts[id(zone)] = EvaluationContext(inventory, zone, policy, scan_time)
        _judge(resource, zone, ctx, candidates, messages, outcomes.append)
    outcomes = without_duplicates(outcomes)
    return ScanResult(inventory, policy, checks, outcomes, scan_time, started, datetime.now(UTC), zone_of)


def without_duplicates(outcomes: list[Outcome]) -> list[Outcome]:
    """A failure that defers to other checks (`Result.defer_to`) becomes not-applicable where one of them
    failed on the same resource: the gap is reported once, by the specific check."""
    # Over the results, not the Outcome properties: two passes over 300,000 outcomes at 100,000 resources.
    fail = Status.FAIL
    deferring = [i for i, o in enumerate(outcomes) if o.result.defer_to and o.result.status == fail]
    if not deferring:
        return outcomes
    targets = {i: [_deferral(entry, outcomes[i].resource) for entry in outcomes[i].result.defer_to] for i in deferring}
    wanted = {key for pairs in targets.values() for _, key in pairs}
    failed = {(o.check.id, key) for o in outcomes if o.result.status == fail and (key := o.resource.key) in wanted}
    for i in deferring:
        outcome = outcomes[i]
        reported = [entry for entry, pair in zip(outcome.result.defer_to, targets[i], strict=True) if pair in failed]
        if reported:
            outcomes[i] = Outcome(outcome.check, outcome.resource, outcome.zone, deferred(outcome.result, reported))
    return outcomes


def _deferral(entry: str, resource: Resource) -> tuple[str, str]:
    check_id, _, other = entry.partition("@")
    return check_id, (other or resource.id).lower()


def deferred(result: Result, reported_by: list[str]) -> Result:
    """`STG-001`, `SQLMI-002@<instance id>` -> "STG-001", "SQLMI-002 on <instance name>"."""
    named = [f"{c} on {other.rsplit('/', 1)[-1]}" if other else c
             for c, _, other in (entry.partition("@") for entry in reported_by)]
    evidence = {**result.evidence, "reported_by": reported_by, "deferred_message": result.message}
    return Result(Status.NOT_APPLICABLE, f"the same gap is reported by {', '.join(named)}: {result.message}", evidence)


# What a value of an unexpected type or size raises inside a check: a string where a number was expected
# (TypeError), 10**15 minutes (OverflowError in timedelta), NaN in int() (ValueError), a document nested
# too deep for a recursive helper (RecursionError), a list shorter than assumed (IndexError).
DATA_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError, ArithmeticError, RecursionError)


def _candidates(checks: Iterable[Check], resource: Resource,
                narrowing: set[int]) -> list[tuple[Check, BaseException | None]]:
    """The checks that apply to the resource; one whose applies_to a malformed document breaks is kept with
    its error (its verdict is unknown), never skipped silently."""
    found: list[tuple[Check, BaseException | None]] = []
    for check in checks:
        if id(check) not in narrowing:
            found.append((check, None))
            continue
        try:
            if check.applies_to(resource):
                found.append((check, None))
        except DATA_ERRORS as exc:
            found.append((check, exc))
    return found


def _judge(resource: Resource, zone: Zone, ctx: EvaluationContext, candidates: list[tuple[Check, BaseException | None]],
           messages: dict[str, str], append: Callable[[Outcome], None]) -> None:
    """Each candidate check's verdict on the resource. A payload of an unexpected shape must not crash the
    scan, and must never count as a pass: that verdict is unknown, naming the fields that look malformed,
    and the scan goes on. (One loop per resource, not a call per check: 300,000 at 100,000 resources.)"""
    for check, error in candidates:
        if error is not None:
            result = _malformed(resource, error)
        else:
            try:
                result = check.evaluate(resource, ctx)
            except DATA_ERRORS as exc:
                result = _malformed(resource, exc)
            else:
                # Equal messages kept as one string: checks build them anew (f-strings) for each resource,
                # and the 300,000 results of 100,000 resources hold some 40,000 distinct ones (25 MB saved).
                message = result.message
                if type(message) is str:
                    result.message = messages.setdefault(message, message)
        append(Outcome(check, resource, zone, result))


def _malformed(resource: Resource, exc: BaseException, judging: str = "") -> Result:
    error = one_line(f"{type(exc).__name__}: {exc}")
    suspects = suspicious_fields(resource.raw)
    where = f" in {', '.join(suspects)}" if suspects else ""
    what = f" to place the resource in a {judging}" if judging else ""
    evidence: dict[str, Any] = {"missing": "well-formed resource properties", "error": error}
    if suspects:
        evidence["suspect_fields"] = suspects
    return Result(Status.UNKNOWN, f"cannot judge: malformed or unexpected data{where}{what} ({error})", evidence)


# JSON numbers beyond +-2**53 lose precision in most JSON readers and are no real ARM setting.
_SAFE_INTEGER = 2**53
_MAX_NODES = 10_000
_MAX_SUSPECTS = 5


def suspicious_fields(document: Any) -> list[str]:
    """Paths of values in an ARM document that no real setting has: NaN, infinities, numbers beyond 2**53,
    nesting beyond 32 levels. Bounded (no recursion, at most 10,000 values looked at): it runs on exactly
    the documents that already broke a check."""
    found: list[str] = []
    stack: list[tuple[Any, str, int]] = [(document, "", 0)]
    seen = 0
    while stack and seen < _MAX_NODES and len(found) < _MAX_SUSPECTS:
        node, path, depth = stack.pop()
        seen += 1
        if isinstance(node, float) and (math.isnan(node) or math.isinf(node) or abs(node) > _SAFE_INTEGER):
            found.append(f"{one_line(path, 100)} ({node})")
        elif isinstance(node, int) and not isinstance(node, bool) and abs(node) > _SAFE_INTEGER:
            found.append(f"{one_line(path, 100)} (a number beyond 2**53)")
        elif isinstance(node, Mapping | list) and depth >= 32:
            found.append(f"{one_line(path, 100)} (nested deeper than 32 levels)")
        elif isinstance(node, Mapping):
            stack.extend((value, f"{path}.{key}" if path else str(key), depth + 1) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend((value, f"{path}[{i}]", depth + 1) for i, value in enumerate(node))
    return found
