"""Zone readiness: per landing zone and scenario, the worst achievable RPO and RTO of its resources, the
resources that set them, and how many resources meet, miss or cannot be judged against the zone's own
RPO and RTO. Every report shows it (JSON `readiness`, SARIF run properties, the table and Markdown blocks).

The worst figure is the worst one known: `none` before any duration, a longer duration before a shorter
one. Resources whose figure is unknown are counted beside it (`unknown`), never folded into it: a zone
with unknown figures may be worse than its worst known one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scanner import repository_file_url
from scanner.check import EvaluationContext
from scanner.engine import ScanResult
from scanner.model import Resource
from scanner.policy import Zone, format_duration
from scanner.recovery import ESTIMATORS, Estimate, estimate
from scanner.recovery.figures import Figure, Kind, Verdict
from scanner.recovery.model import SCENARIOS, Scenario

MODEL_URL = repository_file_url("docs/recovery-model.md")
MAX_SET_BY = 50  # ids listed per worst figure; `set_by_count` has them all


@dataclass(frozen=True)
class Worst:
    """The worst known figure among a zone's resources, who sets it, and how many figures are unknown."""

    figure: Figure | None
    set_by: tuple[Resource, ...]
    unknown: int

    def to_json(self) -> dict[str, Any]:
        return {"worst": self.figure.to_json() if self.figure else None,
                "set_by": [r.id for r in self.set_by[:MAX_SET_BY]], "set_by_count": len(self.set_by),
                "unknown": self.unknown}


@dataclass(frozen=True)
class ScenarioReadiness:
    scenario: Scenario
    rpo: Worst
    rto: Worst
    verdicts: dict[Verdict, int]

    def to_json(self) -> dict[str, Any]:
        return {"rpo": self.rpo.to_json(), "rto": self.rto.to_json(), "meeting": self.verdicts[Verdict.MEETS],
                "missing": self.verdicts[Verdict.MISSES], "unknown": self.verdicts[Verdict.UNKNOWN]}


@dataclass(frozen=True)
class ZoneReadiness:
    zone: Zone
    resources: int
    scenarios: dict[Scenario, ScenarioReadiness]

    def to_json(self) -> dict[str, Any]:
        return {"zone": self.zone.name, "strategy": str(self.zone.strategy),
                "target": {"rpo": format_duration(self.zone.rpo), "rto": format_duration(self.zone.rto)},
                "resources": self.resources,
                **{str(s): self.scenarios[s].to_json() for s in SCENARIOS}}


def readiness(scan: ScanResult) -> list[ZoneReadiness]:
    """Every zone of the policy, in policy order (the default zone last), computed once per scan."""
    return scan.inventory.derived(f"recovery:readiness:{id(scan)}", lambda inv: (scan, _readiness(scan)))[1]


def readiness_json(scan: ScanResult) -> dict[str, Any]:
    return {"model": MODEL_URL, "scenarios": [str(s) for s in SCENARIOS],
            "zones": [z.to_json() for z in readiness(scan)]}


def estimates(scan: ScanResult) -> list[Estimate]:
    """The estimate of every resource the model covers, in the zone the scan placed it (or would have)."""
    found = []
    contexts: dict[int, EvaluationContext] = {}  # one per zone, as evaluation has (a Zone is unhashable)
    for resource in scan.inventory.resources:
        if resource.type_key not in ESTIMATORS:
            continue
        zone = scan.zone_of.get(resource.key) or scan.policy.zone_for(resource, scan.inventory)
        ctx = contexts.get(id(zone))
        if ctx is None:
            ctx = contexts[id(zone)] = EvaluationContext(scan.inventory, zone, scan.policy, scan.scan_time)
        result = estimate(resource, ctx)
        if isinstance(result, Estimate):
            found.append(result)
    return found


def _readiness(scan: ScanResult) -> list[ZoneReadiness]:
    by_zone: dict[str, list[Estimate]] = defaultdict(list)
    for found in estimates(scan):
        by_zone[found.zone.name].append(found)
    return [ZoneReadiness(zone, len(by_zone.get(zone.name, ())),
                          {s: _scenario(s, zone, by_zone.get(zone.name, [])) for s in SCENARIOS})
            for zone in scan.policy.all_zones]


def _scenario(scenario: Scenario, zone: Zone, found: list[Estimate]) -> ScenarioReadiness:
    verdicts = dict.fromkeys(Verdict, 0)
    # An option's verdict depends on its two figures only, and most options share the documented table's
    # figures (40,000 estimates per scenario at 100,000 resources, 9,000 pairs of figures): judged once per pair.
    judged: dict[tuple[int, int], Verdict] = {}
    rpos: list[Figure] = []
    rtos: list[Figure] = []
    for item in found:
        chosen = item.chosen[scenario]
        rpo, rto = chosen.rpo, chosen.rto
        pair = (id(rpo), id(rto))  # the figures live as long as the estimates: their ids are not reused
        verdict = judged.get(pair)
        if verdict is None:
            verdict = judged[pair] = chosen.verdict(zone.rpo, zone.rto)
        verdicts[item.settled(scenario, verdict)] += 1
        rpos.append(rpo)
        rtos.append(rto)
    resources = [item.resource for item in found]
    return ScenarioReadiness(scenario, worst(resources, rpos), worst(resources, rtos), verdicts)


def worst(resources: Sequence[Resource], figures: Sequence[Figure]) -> Worst:
    """The worst known of the figures (of the resources at the same positions): the last of the worst-ranked,
    as max() over Figure's ordering picks it (a later figure of the same rank but other text is "greater"),
    with every resource whose figure has that rank."""
    unknown = 0
    top: Figure | None = None
    top_rank: tuple[int, float] | None = None
    set_by: list[Resource] = []
    for resource, figure in zip(resources, figures, strict=True):
        if figure.kind is Kind.UNKNOWN:
            unknown += 1
            continue
        rank = figure.rank
        if top_rank is None or rank > top_rank:
            top, top_rank, set_by = figure, rank, [resource]
        elif rank == top_rank:
            top = figure
            set_by.append(resource)
    return Worst(top, tuple(set_by), unknown)
