"""What every reporter is told besides the scan result, and the summaries they all show."""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

from scanner.baseline import AppliedBaseline
from scanner.check import Severity, Status
from scanner.engine import Outcome, ScanResult
from scanner.iac.sourcemap import SourceMap
from scanner.model import Resource


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
    source_map: SourceMap | None = None  # findings -> the IaC declaring their resources (scan --source-root)


def is_suppressed(outcome: Outcome, options: ReportOptions) -> bool:
    return options.baseline is not None and options.baseline.is_suppressed(outcome)


def active_findings(scan: ScanResult, options: ReportOptions) -> list[Outcome]:
    """Failing results no accepted risk covers, most severe first (deterministic order)."""
    if options.baseline is None:  # no accepted risk: every finding (35,000 at 100,000 resources)
        return scan.findings
    return [o for o in scan.findings if not is_suppressed(o, options)]


def suppressed_findings(scan: ScanResult, options: ReportOptions) -> list[Outcome]:
    return [o for o in scan.findings if is_suppressed(o, options)] if options.baseline is not None else []


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


def counted_resources(scan: ScanResult) -> list[Resource]:
    """What every report counts as a resource: the data resources the checks judged (storage
    accounts, Cosmos DB accounts, SQL databases, vaults, workspaces...), each once, in its zone.
    The child documents read beside them (blob services, retention policies, replication links,
    failover groups, geo-backup policies) are settings of those resources, not resources."""
    inventory = scan.inventory
    # The resources judged are the zone map's keys, in the order evaluation met them; looking each up
    # (the last document of an id wins, as in the inventory) beats filtering all 100,000 documents.
    return [resource for key in scan.zone_of if (resource := inventory.get(key)) is not None]


def zone_summaries(scan: ScanResult, options: ReportOptions | None = None) -> list[dict[str, Any]]:
    """Per landing zone: what it holds and what the checks made of it, so an auditor sees what was
    and was not examined (resources by type, checks run, passed / failed / suppressed / unknown)."""
    options = options or ReportOptions()
    types: dict[str, Counter[str]] = defaultdict(Counter)
    zone_of = scan.zone_of
    for (name, resource_type), count in Counter((zone_of[r.key].name, r.type) for r in counted_resources(scan)).items():
        types[name][resource_type] = count
    # Counted over (zone, value) pairs that attrgetter makes in C: a Python loop updating per-zone
    # counters took 2 s of a 100,000-resource report (259,000 outcomes).
    # One pass gives both the statuses and the checks run per zone.
    outcomes = scan.outcomes
    statuses: dict[str, Counter[str]] = defaultdict(Counter)
    checks: dict[str, set[str]] = defaultdict(set)
    for (name, check_id, status), count in Counter(map(attrgetter("zone.name", "check.id", "result.status"),
                                                       outcomes)).items():
        statuses[name][str(status)] += count
        checks[name].add(check_id)
    if options.baseline is not None:
        for name, count in Counter(o.zone.name for o in scan.findings if is_suppressed(o, options)).items():
            statuses[name]["suppressed"] = count
    judged = Counter(name for name, _ in set(map(attrgetter("zone.name", "resource.key"), outcomes)))
    summaries = []
    for zone in scan.policy.all_zones:
        counts = statuses.get(zone.name, Counter())
        by_type = types.get(zone.name, Counter())
        summaries.append({
            **zone.to_json(),
            "resources": sum(by_type.values()),
            "resources_by_type": dict(sorted(by_type.items(), key=lambda kv: kv[0].lower())),
            "evaluated_resources": judged[zone.name],
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


def source_text(outcome: Outcome, options: ReportOptions) -> tuple[str, bool]:
    """Where the source map placed the finding: (`path:line`, True), else (why not, False): `ambiguous
    (2 declarations)`, or `-` when nothing declares it or there is no source map."""
    match = options.source_map.match(outcome) if options.source_map else None
    if match is None or match.location is None:
        return (f"{match.status} ({match.candidates} declarations)" if match and match.candidates else "-"), False
    return f"{match.location.file}:{match.location.line}", True


def coverage_gaps_text(scan: ScanResult) -> str:
    """`2 read errors, 5 unknown verdicts`: why coverage is incomplete, as the table and HTML reports say it."""
    unknown = scan.counts()[str(Status.UNKNOWN)]
    return f"{plural(len(scan.inventory.gaps), 'read error')}, {plural(unknown, 'unknown verdict')}"


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


# --- what the zone required, in words ----------------------------------------------------------
# A check's `requirement` is either a row of the zone's requirement table as the policy states it
# (`geo_redundancy=required (warm-spare default)`, `rpo=4h (...)`, `require_classification=true
# (policy)`) or words naming what was required. Reports say the former in words, with the policy
# row after it so a reader knows which setting to change.
# `key=value (origin)`, optionally followed by ` (zone ...)`: the zone whose rule it is, where a check
# holds a resource to another zone's rules (a Backup vault keeping a stricter zone's backups).
_POLICY_ROW = re.compile(r"^(?P<key>[a-z_]+)=(?P<value>[^\s()]+) \((?P<origin>[^()]*)\)(?: \((?P<zone>zone .*)\))?$")
REQUIREMENT_WORDS = {
    "geo_redundancy": "a copy in another region",
    "zone_redundancy": "copies in several availability zones",
    "automatic_failover": "failover without an operator",
    "multi_region_writes": "writes in more than one region",
    "long_term_retention": "long-term backup retention",
    "min_soft_delete_days": "soft delete for at least {value} days",
    "min_pitr_days": "point-in-time restore for at least {value} days",
    "rpo": "at most {value} of data loss",
    "rto": "back within {value}",
    "require_classification": "a landing zone for every data resource",
    "azure_backup": "a backup in an Azure Backup vault",
}


def requirement_text(outcome: Outcome, *, with_zone: bool = True) -> str | None:
    """`zone dmlz (warm-spare) requires a copy in another region (policy: geo_redundancy=required,
    warm-spare default)`; `recommends` where the zone leaves the requirement optional and the check
    reports it at a lower severity. Without the zone: `required: ...` / `recommended: ...`."""
    requirement = outcome.result.requirement
    if not requirement:
        return None
    row = _POLICY_ROW.match(requirement)
    words = REQUIREMENT_WORDS.get(row["key"]) if row else None
    judged_by = None
    if row is None or words is None:
        what, source, optional, by_policy = requirement, "", False, False
    else:
        what = words.format(value=row["value"])
        optional, by_policy = row["value"] == "optional", row["origin"] == "policy"
        origin = "" if by_policy else f", {row['origin']}"
        judged_by = row["zone"] if row["zone"] and not row["zone"].endswith("(the vault's own)") else None
        source = f" (policy: {row['key']}={row['value']}{origin}{f'; {judged_by}' if judged_by else ''})"
    if not with_zone:
        return f"{'recommended' if optional else 'required'}: {what}{source}"
    subject = "the policy" if by_policy else f"zone {outcome.zone.name} ({outcome.zone.strategy})"
    if judged_by:
        subject = "the zone of data it backs up"
    return f"{subject} {'recommends' if optional else 'requires'} {what}{source}"


def region_metadata_text(scan: ScanResult, options: ReportOptions) -> str:
    """Where the paired-region and availability-zone facts came from, truthfully: read live, taken
    from the snapshot's locations list, or the table bundled with the tool (and for which regions)."""
    catalog = scan.inventory.regions
    if catalog.source == "bundled":
        where = "the snapshot has no locations list" if options.mode == "snapshot" else "no locations were read"
        return f"bundled region table ({where})"
    origin = "read live from the subscriptions' locations" if options.mode == "live" else \
        "the snapshot's locations list"
    missing = sorted({r.location for r in scan.inventory.resources if r.location} - set(catalog.live))
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        origin += f"; bundled region table for {shown}"
    return origin


# --- what to fix first ---------------------------------------------------------------------------
FIX_FIRST = 5


def fix_first(scan: ScanResult, options: ReportOptions, limit: int = FIX_FIRST) -> list[Outcome]:
    """The most severe unsuppressed findings across all zones; among equals, those of the zones with
    the strongest DR promise (hot-spare before warm-spare...), then by check and resource."""
    ranked = sorted(active_findings(scan, options),
                    key=lambda o: (-o.severity.rank, -o.zone.strategy.rank, o.check.id, o.resource.key))
    return ranked[:limit]


# --- terminal width ------------------------------------------------------------------------------
DEFAULT_WIDTH = 100  # a pipe or a file: no terminal to ask, and COLUMNS unset
MIN_WIDTH, MAX_WIDTH = 40, 1000


def report_width(options: ReportOptions, environ: dict[str, str] | None = None) -> int:
    """The width to lay the terminal report out for: the terminal's (the CLI passes it), else the
    COLUMNS variable, else 100. Never rich's own detection, which would see the pipe or the test."""
    width = options.width
    if width is None:
        columns = (os.environ if environ is None else environ).get("COLUMNS", "")
        width = int(columns) if columns.strip().isdigit() and len(columns) < 6 else DEFAULT_WIDTH
    return min(max(width, MIN_WIDTH), MAX_WIDTH)
