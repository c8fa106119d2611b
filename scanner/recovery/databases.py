"""Recovery options of the relational databases: Azure SQL databases, SQL Managed Instance databases,
PostgreSQL and MySQL flexible servers. A DR copy (a geo-secondary, the databases of a failover group's
secondary instance, a read replica) is not estimated on its own: its primary's estimate covers the pair."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from checks._dr import unread_in_zone
from checks._flexible_servers import (
    geo_redundant_backup,
    is_replica,
    replicas_of,
    replication_role,
    retention_days,
    source_of,
)
from checks.sql._common import (
    SHORT_TERM_RETENTION,
    backup_redundancy,
    failover_groups_of,
    geo_replicas,
    is_geo_link,
    is_user_database,
    partner_regions,
    replication_links_of,
    retention_policy,
)
from checks.sqlmi._instance import SHORT_TERM_RETENTION as MI_SHORT_TERM_RETENTION
from checks.sqlmi._instance import group_roles, groups_of
from scanner.backup import POSTGRESQL_DATASOURCES, protection_of
from scanner.check import EvaluationContext
from scanner.model import Resource
from scanner.policy import format_duration
from scanner.recovery.backups import deletion_backup_options, geo_backup_options
from scanner.recovery.figures import HOUR, within
from scanner.recovery.model import Improvement, NotEstimated, Option, Recovery, not_read, option
from scanner.recovery.stores import partner_options
from scanner.regions import normalize_region

_GEO_BACKUP = frozenset({"geo", "geozone"})
_LOCAL_BACKUP = frozenset({"local", "zone"})
_GROUP_GRACE = timedelta(minutes=60)  # the shortest grace period a failover group allows


def _group_option(group: Resource, label: str, covered_by: tuple[str, ...]) -> Option:
    """A failover group as a way back: automatic after its grace period, or whenever an operator fails over."""
    endpoint = group.prop("readWriteEndpoint")
    policy = endpoint.get("failoverPolicy") if isinstance(endpoint, Mapping) else None
    grace = endpoint.get("failoverWithDataLossGracePeriodMinutes") if isinstance(endpoint, Mapping) else None
    if isinstance(policy, str) and policy.lower() == "manual":
        return option("sql.manual_failover", f"{label}, Manual failover policy")
    if not isinstance(policy, str) or policy.lower() != "automatic":
        return not_read(f"readWriteEndpoint.failoverPolicy of failover group {group.name}")
    if isinstance(grace, bool) or not isinstance(grace, int) or grace < 0:
        return not_read(f"the grace period of failover group {group.name}")
    worst = max(HOUR, timedelta(minutes=grace))
    return option("sql.failover_group", f"{label}, automatic, grace period {format_duration(timedelta(minutes=grace))}",
                  rto=within(worst, f"≤ {format_duration(worst)} (automatic after the grace period)"),
                  covered_by=covered_by)


def _backup_storage_option(resource: Resource, prefix: str) -> Option:
    value, source = backup_redundancy(resource)
    text = value.lower() if isinstance(value, str) else ""
    # The managed-instance checks judge the instance, whose backups these are, not its databases.
    on = "" if prefix == "SQL" else f"@{resource.id}"
    if text in _GEO_BACKUP:
        return option("sql.geo_restore", f"geo-restore from {value} backups",
                      covered_by=("SQL-005", "SQL-001") if prefix == "SQL" else (f"SQLMI-001{on}",))
    if text in _LOCAL_BACKUP:
        covered = ("SQL-003", "SQL-001") if prefix == "SQL" else (f"SQLMI-002{on}", f"SQLMI-001{on}")
        return option("sql.local_backups", f"{value} backup storage in {resource.location}, no geo-replica",
                      covered_by=covered)
    return not_read(source)


# The improvements are the same for every resource that has them: made once and shared (not to be changed).
_SQL_IMPROVEMENTS = (
    Improvement("switch the backup storage redundancy to Geo (geo-restore)", option("sql.geo_restore")),
    Improvement("add it to a failover group with the zone's secondary region, Automatic policy, grace period "
                "60 minutes", option("sql.failover_group")))
_SQL_GRACE_IMPROVEMENT = (
    Improvement("shorten the failover group's grace period to 60 minutes", option("sql.failover_group")),)
_MI_IMPROVEMENTS = (
    Improvement("switch the instance's backup storage redundancy to Geo (geo-restore)", option("sql.geo_restore")),
    Improvement("create an instance failover group with the zone's secondary region, Automatic",
                option("sql.failover_group")))
_FLEXIBLE_IMPROVEMENTS = {
    engine: (Improvement("turn on geo-redundant backup (chosen when a server is created: a new server)",
                         option(f"{engine}.geo_restore")),
             Improvement("create a read replica in the zone's secondary region", option(f"{engine}.replica")))
    for engine in ("postgresql", "mysql")}


def _sql_improvements(options: list[Option]) -> tuple[Improvement, ...]:
    if any(o.mechanism.startswith("failover group") and "automatic" in o.mechanism for o in options):
        return _SQL_GRACE_IMPROVEMENT
    return _SQL_IMPROVEMENTS


# --- Azure SQL databases ---------------------------------------------------------------------------
def sql_database(database: Resource, ctx: EvaluationContext) -> Recovery | NotEstimated:
    if not is_user_database(database):
        return NotEstimated("a system database")
    primary = _primary_of(database, ctx)
    if primary:
        return NotEstimated(f"geo-secondary of {primary}: judged through its primary")
    regional = _sql_replica_options(database, ctx)
    regional.append(_backup_storage_option(database, "SQL"))
    deletion = _pitr_option(retention_policy(ctx.inventory, database, SHORT_TERM_RETENTION), "sql.pitr")
    return Recovery(tuple(regional), (deletion,), _sql_improvements(regional))


def _primary_of(database: Resource, ctx: EvaluationContext) -> str | None:
    """The primary, when this database is the secondary of a geo-replication link or a failover group."""
    for link in replication_links_of(ctx.inventory, database).items:
        if is_geo_link(link) and str(link.prop("role") or "").lower() == "secondary":
            return f"{link.prop('partnerDatabase') or database.name} on {link.prop('partnerServer') or 'its partner'}"
    for group in failover_groups_of(ctx.inventory, database).items:
        if str(group.prop("replicationRole") or "").lower() == "secondary":
            return f"failover group {group.name}'s primary"
    return None


def _sql_replica_options(database: Resource, ctx: EvaluationContext) -> list[Option]:
    options: list[Option] = []
    for group in failover_groups_of(ctx.inventory, database).items:
        regions = partner_regions(group, ctx.inventory)
        elsewhere = sorted({r for r in regions if r and r != database.location})
        if elsewhere:
            options.append(_group_option(group, f"failover group {group.name} to {', '.join(elsewhere)}",
                                         ("SQL-002",)))
        elif None in regions:
            options.append(not_read(f"the partner region of failover group {group.name}"))
    for link in replication_links_of(ctx.inventory, database).items:
        region = normalize_region(link.prop("partnerLocation"))
        if not is_geo_link(link) or region == database.location:
            continue
        partner = link.prop("partnerServer") or link.name
        if region is None:
            options.append(not_read(f"the region of geo-replica on {partner}"))
        elif str(link.prop("replicationState") or "").upper() in ("SEEDING", "PENDING"):
            options.append(not_read(f"a seeded geo-replica on {partner} (replicationState "
                                    f"{link.prop('replicationState')})"))
        else:
            options.append(option("sql.manual_failover", f"active geo-replica on {partner} in {region}"))
    replicas = geo_replicas(ctx.inventory, database)
    if not options:
        options += [option("sql.manual_failover", copy) for copy in replicas.copies]
        options += [not_read(f"the partner region of {label}") for label in replicas.undecided]
    if replicas.gap is not None and not replicas.copies:
        options.append(not_read("the failover groups or replication links of the database"))
    return options


def _pitr_option(policy: Resource | None, key: str) -> Option:
    days = policy.prop("retentionDays") if policy is not None else None
    if isinstance(days, bool) or not isinstance(days, int):
        return not_read("backupShortTermRetentionPolicies/default retentionDays")
    return option(key, f"point-in-time restore, {days} days")


# --- SQL Managed Instance databases ----------------------------------------------------------------
def managed_database(database: Resource, ctx: EvaluationContext) -> Recovery | NotEstimated:
    deletion = _pitr_option(retention_policy(ctx.inventory, database, MI_SHORT_TERM_RETENTION), "sql.pitr")
    instance = ctx.inventory.get(database.parent_id) if database.parent_id else None
    if instance is None:
        return Recovery((not_read("the managed instance of the database"),), (deletion,))
    roles = group_roles(ctx, instance)
    if roles.secondary_of:
        return NotEstimated(f"database of {instance.name}, the geo-secondary of {', '.join(roles.secondary_of)}: "
                            "judged through its primary")
    regional: list[Option] = []
    if roles.copies:
        groups = {g.name.lower(): g for g in groups_of(ctx.inventory, instance)}
        regional += [_group_option(g, f"instance {copy}", ()) for g in groups.values()
                     for copy in roles.copies if copy.startswith(f"failover group {g.name} ")]
    regional += [not_read(f"the partner region of {label}") for label in roles.undecided]
    if roles.gap is not None:
        regional.append(not_read("the instance failover groups of the zone"))
    regional.append(_backup_storage_option(instance, "SQLMI"))
    return Recovery(tuple(regional), (deletion,), _MI_IMPROVEMENTS)


# --- PostgreSQL and MySQL flexible servers ---------------------------------------------------------
def postgresql(server: Resource, ctx: EvaluationContext) -> Recovery | NotEstimated:
    return _flexible_server(server, ctx, "postgresql", "PG")


def mysql(server: Resource, ctx: EvaluationContext) -> Recovery | NotEstimated:
    return _flexible_server(server, ctx, "mysql", "MY")


def _flexible_server(server: Resource, ctx: EvaluationContext, engine: str, prefix: str) -> Recovery | NotEstimated:
    if is_replica(server):
        source = source_of(server).rsplit("/", 1)[-1] or "its source server"
        return NotEstimated(f"read replica ({replication_role(server)}) of {source}: judged through its source")
    regional = [option(f"{engine}.replica", f"read replica {r.name} in {r.location}")
                for r in replicas_of(ctx.inventory, server)
                if r.location and server.location and r.location != server.location]
    regional += partner_options(server, ctx)
    if not regional:
        regional += _unseen_replicas(server, ctx, engine)
    geo = geo_redundant_backup(server)
    if geo:
        regional.append(option(f"{engine}.geo_restore", covered_by=(f"{prefix}-004",)))
    elif geo is False:
        regional.append(option("flexible.local", f"backups in {server.location} only, no read replica elsewhere",
                               covered_by=(f"{prefix}-001", f"{prefix}-004")))
    else:
        regional.append(not_read("properties.backup.geoRedundantBackup"))
    deletion = [_flexible_pitr(server, engine)]
    if engine == "postgresql":
        backups = protection_of(server, ctx.inventory, POSTGRESQL_DATASOURCES)
        regional += geo_backup_options(backups, ctx.inventory, "PostgreSQL")
        deletion += deletion_backup_options(backups, ctx.inventory, "PostgreSQL")
    return Recovery(tuple(regional), tuple(deletion), _FLEXIBLE_IMPROVEMENTS[engine])


def _unseen_replicas(server: Resource, ctx: EvaluationContext, engine: str) -> list[Option]:
    """Replicas the scan could not see: MySQL says Source while it has some; an unread server list may hide one."""
    role = (replication_role(server) or "").lower()
    if engine == "mysql" and role == "source":
        return [not_read("the read replicas of the server (replicationRole Source, none scanned)")]
    if unread_in_zone(ctx.inventory, ctx.zone, server.type) is not None:
        return [not_read(f"the list of {server.type} servers of the zone (a read replica may be among them)")]
    return []


def _flexible_pitr(server: Resource, engine: str) -> Option:
    days = retention_days(server)
    if days is None:
        return not_read("properties.backup.backupRetentionDays")
    return option(f"{engine}.pitr", f"point-in-time restore, {days} days")
