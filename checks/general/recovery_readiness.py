from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any

from checks.sql._common import DATABASE, is_user_database
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource
from scanner.policy import Strategy, Zone, format_duration
from scanner.recovery import ESTIMATED_TYPES, Estimate, Scenario, estimate
from scanner.recovery.figures import (
    COSMOS_DURABILITY,
    PG_CONTINUITY,
    SQL_BCDR,
    STORAGE_REGION_DOWN,
    Verdict,
)
from scanner.recovery.model import Option
from scanner.recovery.readiness import MODEL_URL


class RegionalRecoveryReadinessCheck(Check):
    id = "GEN-004"
    title = "Achievable regional-outage RPO or RTO misses the zone's objectives"
    service = "General"
    resource_type = ESTIMATED_TYPES
    severity = Severity.HIGH
    rationale = (
        "A zone's RPO and RTO are only as good as the resource that recovers worst. The recovery model "
        "(docs/recovery-model.md) works out, from the resource's configuration and Microsoft's documented figures "
        "(live data such as a storage account's lastSyncTime where the scan read it), how much data a regional "
        "outage would lose and how long the resource would be down. Where that misses the zone's own RPO or RTO "
        "and no specific check already reports the gap on the resource, this check does: a geo-backup taken "
        "daily in a zone that accepts a few hours of loss, a vaulted backup whose copy reaches the paired region "
        "36 hours late, a read replica whose documented lag is longer than the zone's RPO. A figure Microsoft does "
        "not document is not guessed: the resource is left out of this check (the readiness report counts it as "
        "unknown)."
    )
    guidance = (
        "Each Data Landing Zone must decide on the Recovery Point Objective for their Data Integration(s) and "
        "Data Products and defined a replication strategy for their use cases.\n\n"
        "Depending on the recovery time objective (RTO) and the recovery point objective (RPO) SLAs for your "
        "workload, you might choose an aggressive strategy for high availability and disaster recovery."
    )
    logic = {
        "redeploy": "not applicable unless the zone overrides geo_redundancy to required (the zone rebuilds)",
        "backup-restore": "fail when the achievable regional-outage RPO or RTO (the documented worst case of the "
                          "best recovery option) exceeds the zone's; not applicable where a specific check already "
                          "fails on the resource for the same gap (it is reported there), and where the figure that "
                          "decides is undocumented; unknown when an input was not read",
        "warm-spare": "as backup-restore",
        "hot-spare": "as backup-restore",
    }
    remediation = Remediation(
        summary="Make the change the finding names: the cheapest configuration the recovery model shows meeting the "
                "zone's RPO and RTO (for example geo-redundant storage instead of a vaulted backup, a read replica "
                "instead of geo-restore, a shorter failover grace period). Where no documented option meets it, keep "
                "a copy in the secondary region yourself (dual load), or revisit the zone's objectives.",
        portal="The resource's Redundancy / Replication / Backup settings, as the finding names; then re-run the "
               "scan and check the zone's readiness block.",
        cli="bcdr-scan explain <resource id> --snapshot <snapshot> (every option the model found, with its figures "
            "and sources)",
        iac="The property the finding names (redundancy SKU, replica, geo-backup policy, failover group).",
    )
    references = (MODEL_URL, SQL_BCDR, STORAGE_REGION_DOWN, COSMOS_DURABILITY, PG_CONTINUITY)

    def applies_to(self, resource: Resource) -> bool:
        # System databases are not data of the landing zone (the SQL checks skip them too).
        return resource.type_key != DATABASE.lower() or is_user_database(resource)

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if zone.strategy == Strategy.REDEPLOY and not zone.requirements.required("geo_redundancy"):
            return self.not_applicable(f"zone {zone.name} is redeploy: it rebuilds rather than recovers the resource")
        found = estimate(resource, ctx)
        if not isinstance(found, Estimate):
            return self.not_applicable(found.reason if found is not None else "not a type the recovery model covers")
        chosen = found.option(Scenario.REGIONAL)
        rpo, rto = chosen.rpo.against(zone.rpo), chosen.rto.against(zone.rto)
        if Verdict.MISSES in (rpo, rto):
            hidden = found.unread_option(Scenario.REGIONAL)
            if hidden is not None:  # the unread input may be a copy that meets the targets: no finding on a guess
                return self.unknown(f"{_missing(hidden)} (it may hold a better copy; what was read, "
                                    f"{chosen.mechanism}, misses the zone's targets)")
            return self._missed(found, chosen, rpo, rto, _evidence(chosen, zone))
        if rpo == rto == Verdict.MEETS:
            return self.passed(f"after a regional outage: {_achieved(chosen, zone)} ({chosen.mechanism})",
                               **_evidence(chosen, zone))
        if chosen.unread_figure is not None:
            placeholder = chosen.mechanism.startswith("unknown (")  # not_read() names what is missing already
            return self.unknown(_missing(chosen) if placeholder
                                else f"{_missing(chosen)} (for the {chosen.mechanism} estimate)")
        return self.not_applicable(f"Microsoft documents no figure that decides it ({_achieved(chosen, zone)}; "
                                   f"{chosen.mechanism}): the readiness report counts it unknown")

    def _missed(self, found: Estimate, chosen: Option, rpo: Verdict, rto: Verdict, evidence: dict[str, Any]) -> Result:
        zone, resource = found.zone, found.resource
        evidence["cheapest_change"] = _cheapest_change(found)
        advice = f" Cheapest change: {evidence['cheapest_change']}."
        missed = " and ".join(name for name, v in (("RPO", rpo), ("RTO", rto)) if v == Verdict.MISSES)
        result = self.failed(
            f"after a regional outage {resource.name} gets {_achieved(chosen, zone)}: misses the zone's {missed} "
            f"({chosen.mechanism}).{advice}",
            observed={"rpo": chosen.rpo.text, "rto": chosen.rto.text, "mechanism": chosen.mechanism},
            required=_objectives(zone.rpo, zone.rto),
            requirement=_requirement(zone, rpo, rto),
            **evidence,
        )
        result.defer_to = chosen.covered_by  # still being made (dataclasses.replace would copy it: 14,000 a scan)
        return result


def _cheapest_change(found: Estimate) -> str:
    """The cheapest change the model shows meeting the zone's objectives; else the one left whose figures
    Microsoft does not document (yours to prove); else none."""
    improvement = found.cheapest_improvement()
    if improvement is None:
        return "none documented meets it: keep a copy in the secondary region yourself (dual load), or revisit " \
               "the zone's objectives"
    figures = f"RPO {improvement.result.rpo.text}, RTO {improvement.result.rto.text}"
    if improvement.verdict(found.zone) == Verdict.MEETS:
        return f"{improvement.change} ({figures})"
    return f"none documented meets it; what is left: {improvement.change} ({figures})"


def _missing(unread: Option) -> str:
    """What was not read, from an option with an unread figure."""
    figure = unread.unread_figure
    return figure.text.removeprefix("unknown: ").removesuffix(" not read") if figure is not None else unread.mechanism


def _achieved(chosen: Option, zone: Zone) -> str:
    return (f"RPO {chosen.rpo.text} against {format_duration(zone.rpo)}, RTO {chosen.rto.text} against "
            f"{format_duration(zone.rto)}")


def _evidence(chosen: Option, zone: Zone) -> dict[str, Any]:
    # Shared where the values are the same (the target per pair of objectives, the sources list with
    # `achieved`): this evidence is in 40,000 results at 100,000 resources.
    achieved = chosen.to_json()
    return {"scenario": _REGIONAL, "achieved": achieved, "target": _objectives(zone.rpo, zone.rto),
            "sources": achieved["sources"]}


_REGIONAL = str(Scenario.REGIONAL)


@cache
def _objectives(rpo: timedelta, rto: timedelta) -> dict[str, str]:
    """A zone's RPO and RTO as the evidence writes them; one dict per pair, shared (not to be changed)."""
    return {"rpo": format_duration(rpo), "rto": format_duration(rto)}


def _requirement(zone: Zone, rpo: Verdict, rto: Verdict) -> str:
    origin = f"{zone.strategy} zone {zone.name}"
    if rpo == Verdict.MISSES and rto != Verdict.MISSES:
        return f"rpo={format_duration(zone.rpo)} ({origin})"
    if rto == Verdict.MISSES and rpo != Verdict.MISSES:
        return f"rto={format_duration(zone.rto)} ({origin})"
    return f"at most {format_duration(zone.rpo)} of data loss and back within {format_duration(zone.rto)} ({origin})"
