"""Recovery options of one resource for one scenario, and the estimate built from them.

An estimator lists every way the resource could be recovered (its *options*: a mechanism with its RPO
and RTO figures and their sources). The estimate is the best of them: the option with the best RPO, then
the best RTO, where any documented or measured duration ranks before an unknown and an unknown before
`none`. So a mechanism Microsoft gives a figure for is preferred over one it does not: the estimate
never claims more than a documented figure shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from functools import cache
from typing import Any

from scanner.model import Resource
from scanner.policy import Zone
from scanner.recovery.figures import DOCUMENTED, Figure, Kind, Verdict, unread


class Scenario(StrEnum):
    REGIONAL = "regional_outage"
    DELETION = "deletion_or_corruption"

    @property
    def title(self) -> str:
        return "regional outage" if self is Scenario.REGIONAL else "deletion or corruption"


SCENARIOS = (Scenario.REGIONAL, Scenario.DELETION)


# Slots on the model's classes: an estimate is a dozen of these objects, and a scan keeps 70,000 estimates
# at 100,000 resources (a __dict__ each would be a quarter of their memory). Not frozen, as scanner.check's
# Result is not: a frozen dataclass's __init__ costs four times a plain one's, and a scan makes 300,000 of
# these at 100,000 resources (a twentieth of its time). Nothing changes them once made (options of the
# documented table are shared by every resource that has them); equality and hash stay by value.
@dataclass(slots=True, unsafe_hash=True)
class Option:
    """One way back: `covered_by` names the checks whose failure on the resource is this option's shortfall
    (GEN-004 leaves a miss to them)."""

    mechanism: str
    rpo: Figure
    rto: Figure
    sources: tuple[str, ...]
    covered_by: tuple[str, ...] = ()

    def verdict(self, rpo: timedelta, rto: timedelta) -> Verdict:
        # A miss on either misses; both met meets; else unknown. Asked 140,000 times at 100,000 resources.
        on_rpo, on_rto = self.rpo.against(rpo), self.rto.against(rto)
        if on_rpo is Verdict.MISSES or on_rto is Verdict.MISSES:
            return Verdict.MISSES
        return Verdict.MEETS if on_rpo is Verdict.MEETS and on_rto is Verdict.MEETS else Verdict.UNKNOWN

    @property
    def rank(self) -> tuple[tuple[int, float], tuple[int, float]]:
        return (self.rpo.rank, self.rto.rank)

    @property
    def unread_figure(self) -> Figure | None:
        """A figure that is unknown because an input was not read (an undocumented figure is not that)."""
        return next((f for f in (self.rpo, self.rto) if f.kind == Kind.UNKNOWN and not f.undocumented), None)

    def to_json(self) -> dict[str, Any]:
        return {"mechanism": self.mechanism, "rpo": self.rpo.to_json(), "rto": self.rto.to_json(),
                "sources": list(self.sources)}


def option(key: str, mechanism: str | None = None, *, rpo: Figure | None = None, rto: Figure | None = None,
           sources: Sequence[str] = (), covered_by: tuple[str, ...] = ()) -> Option:
    """An option from a row of the documented table; configuration-dependent figures are passed in."""
    if mechanism is None and rpo is None and rto is None and not sources:
        return _row_option(key, covered_by)
    return _new_option(key, mechanism, rpo, rto, tuple(sources), covered_by)


@cache
def _row_option(key: str, covered_by: tuple[str, ...]) -> Option:
    """A row as it stands: the same (immutable) option for every resource that has it."""
    return _new_option(key, None, None, None, (), covered_by)


def _new_option(key: str, mechanism: str | None, rpo: Figure | None, rto: Figure | None, sources: tuple[str, ...],
                covered_by: tuple[str, ...]) -> Option:
    row = DOCUMENTED[key]
    chosen_rpo, chosen_rto = rpo or row.rpo, rto or row.rto
    if chosen_rpo is None or chosen_rto is None:
        raise ValueError(f"row {key} has no fixed figure: pass the one the configuration gives")
    cited = _SOURCES.get((row.url, sources))
    if cited is None:
        cited = _SOURCES[row.url, sources] = tuple(dict.fromkeys((row.url, *sources)))
    return Option(mechanism or row.mechanism, chosen_rpo, chosen_rto, cited, covered_by)


# The source list an option cites, by its row's URL and the sources passed in: a few dozen lists, one tuple
# each, and 150,000 options a scan.
_SOURCES: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = {}


def not_read(what: str, mechanism: str | None = None) -> Option:
    """An option that cannot be judged: `what` was not read (or is malformed)."""
    figure = unread(what)
    return Option(mechanism or f"unknown ({what} not read)", figure, figure, ())


@dataclass(slots=True, unsafe_hash=True)
class Improvement:
    """A change to the resource's configuration and the figures the model gives it afterwards."""

    change: str
    result: Option

    def verdict(self, zone: Zone) -> Verdict:
        return self.result.verdict(zone.rpo, zone.rto)


@dataclass(slots=True, unsafe_hash=True)
class Recovery:
    """What an estimator found: every option per scenario, and the regional improvements, cheapest first."""

    regional: tuple[Option, ...]
    deletion: tuple[Option, ...]
    improvements: tuple[Improvement, ...] = ()


@dataclass(slots=True, unsafe_hash=True)
class NotEstimated:
    """A resource the model does not estimate on its own (a DR copy judged through its primary, a
    system database), and why."""

    reason: str


@dataclass(slots=True, unsafe_hash=True)
class Estimate:
    resource: Resource
    zone: Zone
    recovery: Recovery
    chosen: dict[Scenario, Option] = field(default_factory=dict)

    @classmethod
    def of(cls, resource: Resource, zone: Zone, recovery: Recovery) -> Estimate:
        chosen = {Scenario.REGIONAL: best(recovery.regional), Scenario.DELETION: best(recovery.deletion)}
        return cls(resource, zone, recovery, chosen)

    def option(self, scenario: Scenario) -> Option:
        return self.chosen[scenario]

    def options(self, scenario: Scenario) -> tuple[Option, ...]:
        return self.recovery.regional if scenario is Scenario.REGIONAL else self.recovery.deletion

    def verdict(self, scenario: Scenario) -> Verdict:
        zone = self.zone
        return self.settled(scenario, self.chosen[scenario].verdict(zone.rpo, zone.rto))

    def settled(self, scenario: Scenario, chosen_verdict: Verdict) -> Verdict:
        """The estimate's verdict, given its chosen option's against the zone's targets."""
        if chosen_verdict is Verdict.MISSES and self.unread_option(scenario) is not None:
            return Verdict.UNKNOWN  # what was not read may be a copy that meets the targets
        return chosen_verdict

    def unread_option(self, scenario: Scenario) -> Option | None:
        """An option whose figures are unknown because something was not read (not merely undocumented).

        The chosen option prefers documented figures, so a mechanism that misses the targets can be chosen
        over an unread list (a failover group, a vault) that may hold a better copy: a miss is then unknown.
        """
        return next((o for o in self.options(scenario) if o.unread_figure is not None), None)

    def cheapest_improvement(self) -> Improvement | None:
        """The first improvement (they are cheapest first) that meets the zone's targets; failing that, the
        first that misses neither (its other figure undocumented)."""
        improvements = self.recovery.improvements
        meeting = next((i for i in improvements if i.verdict(self.zone) == Verdict.MEETS), None)
        return meeting or next((i for i in improvements if i.verdict(self.zone) == Verdict.UNKNOWN), None)


def best(options: Iterable[Option]) -> Option:
    found = options if isinstance(options, tuple) else tuple(options)
    if len(found) == 1:  # most deletion estimates: nothing to rank
        return found[0]
    if not found:  # an estimator always lists at least what is missing; an empty list would be a bug
        return not_read("any recovery mechanism")
    return min(found, key=lambda o: o.rank)
