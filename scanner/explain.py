"""`bcdr-scan explain RESOURCE_ID`: one resource, its zone and why, what the zone requires and where each
requirement comes from, every check's verdict, and its recovery estimate with every option and source.

The verdicts are the scan's own: the checks of the resource's type (and of its parents', where a check on
the parent decides a verdict of the child, as for a managed instance and its databases) are evaluated
over the whole inventory, exactly as `scan` evaluates them.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scanner.check import Check, EvaluationContext, Status
from scanner.engine import Outcome, evaluate
from scanner.errors import InputError, one_line, shown
from scanner.model import Inventory, Resource, parent_id_of
from scanner.policy import Policy, Zone, format_duration
from scanner.recovery import SCENARIOS, Estimate, NotEstimated, estimate
from scanner.recovery.model import Option
from scanner.reporters.base import iso
from scanner.sanitize import terminal_text

_RESOURCE_ID = re.compile(r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/[^/]+(?:/[^/]+/[^/]+)+/?$",
                          re.IGNORECASE)
_MAX_ID = 2000
_VERDICT_ORDER = {Status.FAIL: 0, Status.UNKNOWN: 1, Status.PASS: 2, Status.NOT_APPLICABLE: 3}


@dataclass(frozen=True)
class Explanation:
    resource: Resource
    zone: Zone
    zone_reason: str
    policy: Policy
    scan_time: datetime
    outcomes: list[Outcome]
    estimate: Estimate | NotEstimated | None


def check_resource_id(text: str) -> str:
    """The id as given, when it has the shape of an ARM resource id; an input error otherwise."""
    value = text.strip()
    if len(value) > _MAX_ID or not _RESOURCE_ID.match(value):
        raise InputError("RESOURCE_ID", None, f"expected an ARM resource id such as /subscriptions/<id>/resourceGroups/"
                         f"<group>/providers/<namespace>/<type>/<name>, got {shown(text, 120)}")
    return value.rstrip("/")


def explain(resource_id: str, inventory: Inventory, policy: Policy, checks: list[Check], source: str) -> Explanation:
    resource = inventory.get(resource_id)
    if resource is None:
        hint = _suggestion(resource_id, inventory)
        raise InputError(source, None, f"no resource {one_line(resource_id, 300)} in it{hint}")
    zone = policy.zone_for(resource, inventory)
    scan_time = inventory.collected_at or datetime.now().astimezone()
    wanted = {resource.type_key, *(_type_key(p) for p in _ancestors(resource.id))}
    relevant = [c for c in checks if wanted & {t.lower() for t in c.resource_types()}]
    outcomes = [o for o in evaluate(inventory, policy, relevant, scan_time).outcomes if o.resource.key == resource.key]
    outcomes.sort(key=lambda o: (_VERDICT_ORDER[o.status], -o.severity.rank, o.check.id))
    found = estimate(resource, EvaluationContext(inventory, zone, policy, scan_time))
    return Explanation(resource, zone, _zone_reason(resource, zone, policy, inventory), policy, scan_time, outcomes,
                       found)


def _ancestors(resource_id: str) -> list[str]:
    found, parent = [], parent_id_of(resource_id)
    while parent:
        found.append(parent)
        parent = parent_id_of(parent)
    return found


def _type_key(resource_id: str) -> str:
    return Resource({"id": resource_id}).type_key


def _suggestion(resource_id: str, inventory: Inventory) -> str:
    """`; did you mean <id>?` by name (case and resource group typos), else by the closest name."""
    name = resource_id.rstrip("/").rsplit("/", 1)[-1].lower()
    by_name = [r for r in inventory.resources if r.name.lower() == name]
    if not by_name:
        names = {r.name.lower(): r for r in inventory.resources}
        close = difflib.get_close_matches(name, list(names), n=1)
        by_name = [names[close[0]]] if close else []
    return f"; did you mean {by_name[0].id}?" if by_name else ""


def _zone_reason(resource: Resource, zone: Zone, policy: Policy, inventory: Inventory) -> str:
    if zone.is_default:
        return f"no zone's selectors all match: the default zone ({policy.source})"
    index = next(i for i, z in enumerate(policy.zones) if z is zone)
    selectors = []
    if zone.match.subscriptions:
        selectors.append(f"subscription {resource.subscription_id}")
    if zone.match.resource_groups:
        selectors.append(f"resource group {resource.resource_group} ({', '.join(zone.match.resource_groups)})")
    if zone.match.tags:
        tags = {k.lower(): v for k, v in inventory.effective_tags(resource).items()}
        selectors.append("tags " + ", ".join(f"{k}={tags.get(k)}" for k in zone.match.tags))
    return f"zones[{index}] of {policy.source}, the first whose selectors all match: {'; '.join(selectors)}"


# --- rendering -----------------------------------------------------------------------------------
def render_text(found: Explanation) -> str:
    """Plain text for a terminal: every value from ARM or a user file goes through `terminal_text`."""
    r, zone, t = found.resource, found.zone, terminal_text
    regions = f", {t(zone.primary_region)} → {t(zone.secondary_region)}" if zone.secondary_region else ""
    lines = [f"Resource  {t(r.id)}",
             f"          {t(r.type)} · {t(r.location or 'no location')}"
             + (f" · sku {t((r.sku or {}).get('name'))}" if r.sku else ""),
             "",
             f"Zone      {t(zone.name)} ({zone.strategy}, RPO {format_duration(zone.rpo)}, RTO "
             f"{format_duration(zone.rto)}{regions})",
             f"          {t(found.zone_reason)}",
             "", "Requirements (value, and where it comes from)",
             *(f"  {name:<22} {t(value):<10} {t(origin)}" for name, value, origin in requirements(found)),
             "", _checks_heading(found.outcomes),
             *(f"  {str(o.status).upper():<14} {o.check.id:<9} {str(o.severity) if o.status == Status.FAIL else '':<7}"
               f" {t(o.result.message)}" for o in found.outcomes),
             "", *_estimate_lines(found)]
    return "\n".join(lines) + "\n"


def requirements(found: Explanation) -> list[tuple[str, str, str]]:
    zone = found.zone
    origin = "the built-in default zone" if zone.is_default and found.policy.source.startswith("<") else \
        f"zone {zone.name} ({found.policy.source})"
    rows = [("rpo", format_duration(zone.rpo), origin), ("rto", format_duration(zone.rto), origin)]
    for name, value in zone.requirements.values.items():
        where = "zone override" if name in zone.requirements.overridden else f"{zone.strategy} default"
        rows.append((name, str(value), where))
    return rows


def _checks_heading(outcomes: list[Outcome]) -> str:
    counts = {s: sum(1 for o in outcomes if o.status == s) for s in Status}
    parts = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    return f"Checks ({len(outcomes)}{': ' + parts if parts else ''})" if outcomes else \
        "Checks: none judges this resource type"


def _estimate_lines(found: Explanation) -> list[str]:
    result = found.estimate
    if result is None:
        return ["Recovery estimate: not a type the recovery model covers (docs/recovery-model.md)"]
    if isinstance(result, NotEstimated):
        return [f"Recovery estimate: not estimated on its own: {result.reason}"]
    lines = [f"Recovery estimate (scan time {iso(found.scan_time)}; docs/recovery-model.md)"]
    zone = found.zone
    for scenario in SCENARIOS:
        chosen = result.option(scenario)
        t = terminal_text
        lines += [f"  {scenario.title}: {result.verdict(scenario)}",
                  f"    RPO {t(chosen.rpo.text)} against {format_duration(zone.rpo)}: {chosen.rpo.against(zone.rpo)}",
                  f"    RTO {t(chosen.rto.text)} against {format_duration(zone.rto)}: {chosen.rto.against(zone.rto)}",
                  f"    by {t(chosen.mechanism)}",
                  *(f"    source {url}" for url in chosen.sources)]
        options = result.options(scenario)
        # The chosen one is the first of its kind (min() keeps the first); an option of a plain table row
        # is one shared object, so a second listing of it is another option, shown.
        first = next((i for i, o in enumerate(options) if o is chosen), None)
        others = [o for i, o in enumerate(options) if i != first]
        lines += [f"    also: {t(_option_text(o))}" for o in others]
    return lines


def _option_text(item: Option) -> str:
    return f"{item.mechanism} (RPO {item.rpo.text}, RTO {item.rto.text})"


def explanation_json(found: Explanation) -> dict[str, Any]:
    r, zone = found.resource, found.zone
    result = found.estimate
    document: dict[str, Any] = {
        "kind": "bcdr-scan/explanation",
        "resource": {"id": r.id, "type": r.type, "name": r.name, "location": r.location},
        "zone": {**zone.to_json(), "reason": found.zone_reason},
        "requirements": [{"name": n, "value": v, "origin": o} for n, v, o in requirements(found)],
        "checks": [{"check_id": o.check.id, "status": str(o.status), "severity": str(o.severity),
                    "message": o.result.message, "requirement": o.result.requirement,
                    "evidence": dict(o.result.evidence)} for o in found.outcomes],
        "scan_time": iso(found.scan_time),
    }
    if isinstance(result, Estimate):
        document["estimate"] = {str(s): {"verdict": str(result.verdict(s)), "chosen": result.option(s).to_json(),
                                         "options": [o.to_json() for o in result.options(s)]} for s in SCENARIOS}
    else:
        document["estimate"] = None
        document["not_estimated"] = result.reason if isinstance(result, NotEstimated) else "type not covered"
    return document
