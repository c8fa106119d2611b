"""Azure Backup as a recovery option: where a resource's backups are (scanner/backup.py) and how often
they are taken (the Backup vault policy's schedule)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from checks.backup._vault import cross_region_restore, is_geo, redundancy
from scanner.backup import Protection, SourceProtection, period_days
from scanner.model import Inventory
from scanner.policy import format_duration, parse_duration
from scanner.recovery.figures import VAULT_REPLICATION_LAG, unread, within
from scanner.recovery.model import Option, not_read, option


def backup_interval(protection: Protection, inventory: Inventory) -> timedelta | None:
    """The shortest schedule of the instance's Backup vault policy (`R/<start>/P1D` -> 1 day), or None."""
    info = protection.record.prop("policyInfo")
    policy_id = info.get("policyId") if isinstance(info, Mapping) else None
    policy = inventory.get(policy_id) if isinstance(policy_id, str) and policy_id else None
    rules = policy.prop("policyRules") if policy is not None else None
    intervals = [i for rule in rules if isinstance(rule, Mapping) for i in _schedules(rule)] \
        if isinstance(rules, list) else []
    found = [d for d in (iso_interval(i.rsplit("/", 1)[-1]) for i in intervals if isinstance(i, str)) if d]
    return min(found) if found else None


def _schedules(rule: Mapping[str, Any]) -> list[Any]:
    trigger = rule.get("trigger")
    schedule = trigger.get("schedule") if isinstance(trigger, Mapping) else None
    intervals = schedule.get("repeatingTimeIntervals") if isinstance(schedule, Mapping) else None
    return intervals if isinstance(intervals, list) else []


def iso_interval(text: str) -> timedelta | None:
    """`P1D`, `PT4H`, `P1W` as a duration (a month counted as 30 days), or None."""
    try:
        value = parse_duration(text)
    except ValueError:
        days = period_days(text)
        return timedelta(days=days) if days else None
    return value if value > timedelta(0) else None


def geo_backup_options(found: SourceProtection, inventory: Inventory, what: str) -> list[Option]:
    """Vaulted backups kept in a geo-redundant vault: a copy in the paired region, up to 12h behind its
    backups. A backup whose tier, vault or schedule was not read is an unknown option, never a pass."""
    options: list[Option] = []
    for backup in found.active:
        if backup.vaulted is False:
            continue
        geo = is_geo(redundancy(backup.vault, inventory)) if backup.vault is not None else None
        if backup.vaulted is None or geo is None:
            options.append(not_read(f"the tier or vault redundancy of {backup.describe()}"))
        elif geo:
            options.append(_geo_vault_option(backup, inventory, what))
    if found.gap is not None and not options:
        options.append(not_read(f"the list of Backup vaults (an unread vault may keep a backup of the {what})"))
    return options


def _geo_vault_option(backup: Protection, inventory: Inventory, what: str) -> Option:
    interval = backup_interval(backup, inventory)
    restore = cross_region_restore(backup.vault, inventory).value if backup.vault is not None else None
    crr = {True: "cross-region restore on", False: "cross-region restore off"}.get(restore, "cross-region restore "
                                                                                           "not reported")
    every = f"every {format_duration(interval)}" if interval else "schedule not read"
    mechanism = f"vaulted {what} backup in geo-redundant vault {backup.vault_name} ({every}, {crr})"
    if interval is None:
        return option("backup.geo_vault", mechanism, rpo=unread("the backup policy's schedule"))
    worst = interval + VAULT_REPLICATION_LAG
    return option("backup.geo_vault", mechanism,
                  rpo=within(worst, f"≤ {format_duration(worst)} (a backup {every} + up to 12h to the paired region)"))


def deletion_backup_options(found: SourceProtection, inventory: Inventory, what: str) -> list[Option]:
    """Active backups as a way back from a deletion: the operational tier restores any point in time, the
    vault tier the last backup."""
    options: list[Option] = []
    for backup in found.active:
        if backup.tiers is None:
            options.append(not_read(f"the policy of {backup.describe()}"))
            continue
        if "OperationalStore" in backup.tiers:
            options.append(option("backup.operational", f"operational {what} backup in vault {backup.vault_name}"))
        if backup.vaulted:
            interval = backup_interval(backup, inventory)
            kept = f", kept {backup.retention['VaultStore']}" if "VaultStore" in backup.retention else ""
            rpo = within(interval, f"≤ {format_duration(interval)} (the backup interval)") if interval \
                else unread("the backup policy's schedule")
            options.append(option("backup.vaulted", f"vaulted {what} backup in vault {backup.vault_name}{kept}",
                                   rpo=rpo))
    return options
