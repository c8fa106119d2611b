"""Backup verdicts shared by Azure SQL databases and SQL Managed Instance databases: both services keep
the same backup settings (backup storage redundancy, a short-term and a long-term retention policy
child named `default`), documented on the same pages, so one rule judges both."""

from __future__ import annotations

from checks.sql._common import backup_redundancy, duration_is_set, retention_policy
from scanner.check import Check, EvaluationContext, Result
from scanner.model import Resource

_GEO = frozenset({"geo", "geozone"})
_SINGLE_REGION = frozenset({"local", "zone"})
_PERIODS = ("weeklyRetention", "monthlyRetention", "yearlyRetention")


def backup_redundancy_verdict(check: Check, resource: Resource, ctx: EvaluationContext, noun: str) -> Result:
    """Geo / GeoZone backup storage passes; Local / Zone fails; anything else is unknown."""
    zone = ctx.zone
    value, source = backup_redundancy(resource)
    if value is None:
        return check.unknown("requestedBackupStorageRedundancy / currentBackupStorageRedundancy")
    if value.lower() in _GEO:
        return check.passed(f"backups are geo-redundant ({value})", observed=value, source=source)
    if value.lower() not in _SINGLE_REGION:
        return check.unknown(f"a known backup storage redundancy (got {value!r})")
    return check.failed(
        f"backups of {noun} {resource.name} are kept on {value} storage in {resource.location}: a "
        f"regional outage loses them and geo-restore is impossible; zone {zone.name} ({zone.strategy}) "
        "requires a copy in another region",
        observed=f"{value} ({source})",
        required="Geo or GeoZone",
        requirement=zone.requirement("geo_redundancy"),
    )


def point_in_time_window_verdict(check: Check, resource: Resource, ctx: EvaluationContext, noun: str,
                                 policy_type: str, **failure_notes: str) -> Result:
    """The short-term retention policy's `retentionDays` against the zone's `min_pitr_days`."""
    zone = ctx.zone
    minimum = zone.requirements.days("min_pitr_days")
    if minimum <= 0:
        return check.not_applicable(f"zone {zone.name} sets no minimum point-in-time retention (min_pitr_days=0)")
    policy = retention_policy(ctx.inventory, resource, policy_type)
    if policy is None:
        return check.unknown("backupShortTermRetentionPolicies/default", ctx.inventory.gap(resource, policy_type))
    days = policy.prop("retentionDays")
    if isinstance(days, bool) or not isinstance(days, int):
        return check.unknown("retentionDays of backupShortTermRetentionPolicies/default")
    if days >= minimum:
        return check.passed(f"point-in-time restore covers {days} days (at least {minimum})", observed=days)
    return check.failed(
        f"{noun} {resource.name} can be restored only {days} days back; zone {zone.name} requires "
        f"at least {minimum} days of point-in-time restore",
        observed=f"{days} days",
        required=f">= {minimum} days",
        requirement=zone.requirement("min_pitr_days"),
        **failure_notes,
    )


def long_term_retention_verdict(check: Check, resource: Resource, ctx: EvaluationContext, noun: str,
                                policy_type: str) -> Result:
    """Passes when the long-term retention policy keeps any weekly, monthly or yearly backup."""
    zone = ctx.zone
    if not zone.requirements.required("long_term_retention"):
        return check.not_applicable(f"zone {zone.name} does not require long-term retention")
    policy = retention_policy(ctx.inventory, resource, policy_type)
    if policy is None:
        return check.unknown("backupLongTermRetentionPolicies/default", ctx.inventory.gap(resource, policy_type))
    kept = {name: policy.prop(name) for name in _PERIODS if duration_is_set(policy.prop(name))}
    if kept:
        return check.passed("long-term retention keeps " + ", ".join(f"{k}={v}" for k, v in kept.items()),
                            observed=kept)
    return check.failed(
        f"{noun} {resource.name} keeps no long-term backups (weekly, monthly and yearly retention are "
        f"all unset); zone {zone.name} requires long-term retention",
        observed={name: policy.prop(name) for name in _PERIODS},
        required="at least one of weeklyRetention, monthlyRetention, yearlyRetention set (e.g. P12W)",
        requirement=zone.requirement("long_term_retention"),
    )
