"""Landing-zone policy: which zone a resource belongs to, and what that zone requires.

Each data landing zone declares a DR strategy (the four of the guidance), an RPO and RTO,
primary and secondary regions and optional requirement overrides. A check judges a resource
against the requirements of its zone, never against one flat rule set.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from scanner.errors import InputError, read_yaml
from scanner.model import Inventory, Resource
from scanner.regions import normalize_region


class Strategy(StrEnum):
    REDEPLOY = "redeploy"
    BACKUP_RESTORE = "backup-restore"
    WARM_SPARE = "warm-spare"
    HOT_SPARE = "hot-spare"

    @property
    def rank(self) -> int:
        return _STRATEGY_RANK[self]

    def at_least(self, other: Strategy) -> bool:
        return self.rank >= other.rank


_STRATEGY_RANK = {strategy: rank for rank, strategy in enumerate(Strategy)}
REQUIRED, OPTIONAL = "required", "optional"
_LEVEL_REQUIREMENTS = ("geo_redundancy", "zone_redundancy", "automatic_failover", "multi_region_writes",
                       "long_term_retention", "azure_backup")
_DAY_REQUIREMENTS = ("min_soft_delete_days", "min_pitr_days")

# The documented default requirement set of each strategy (README, "Strategy defaults").
STRATEGY_DEFAULTS: dict[Strategy, dict[str, str | int]] = {
    Strategy.REDEPLOY: {"geo_redundancy": OPTIONAL, "zone_redundancy": OPTIONAL,
                        "automatic_failover": OPTIONAL, "multi_region_writes": OPTIONAL},
    Strategy.BACKUP_RESTORE: {"geo_redundancy": REQUIRED, "zone_redundancy": OPTIONAL,
                              "automatic_failover": OPTIONAL, "multi_region_writes": OPTIONAL},
    Strategy.WARM_SPARE: {"geo_redundancy": REQUIRED, "zone_redundancy": OPTIONAL,
                          "automatic_failover": OPTIONAL, "multi_region_writes": OPTIONAL},
    Strategy.HOT_SPARE: {"geo_redundancy": REQUIRED, "zone_redundancy": REQUIRED,
                         "automatic_failover": REQUIRED, "multi_region_writes": REQUIRED},
}
_COMMON_DEFAULTS: dict[str, str | int] = {"min_soft_delete_days": 7, "min_pitr_days": 7,
                                          "long_term_retention": OPTIONAL, "azure_backup": OPTIONAL}

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([wdhms])", re.IGNORECASE)
_ISO_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$", re.IGNORECASE)
_UNIT_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(text: object) -> timedelta:
    """`15m`, `4h`, `1h30m`, `2d`, or ISO 8601 (`PT1H`, `P1D`). Raises ValueError otherwise."""
    if isinstance(text, bool) or not isinstance(text, str | int):
        raise ValueError(f"expected a duration like 15m, 4h, 1d or PT1H, got {text!r}")
    value = str(text).strip()
    iso = _ISO_DURATION.match(value)
    if iso and value.upper() not in ("P", "PT"):
        days, hours, minutes, seconds = (int(g or 0) for g in iso.groups())
        return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    parts = _DURATION_PART.findall(value)
    if not parts or _DURATION_PART.sub("", value).strip():
        raise ValueError(f"expected a duration like 15m, 4h, 1d or PT1H, got {text!r}")
    return timedelta(seconds=sum(float(n) * _UNIT_SECONDS[u.lower()] for n, u in parts))


@cache
def format_duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@dataclass(frozen=True)
class Requirements:
    values: Mapping[str, str | int]
    overridden: frozenset[str]

    def required(self, name: str) -> bool:
        return self.values.get(name) == REQUIRED

    def days(self, name: str) -> int:
        return int(self.values[name])

    def describe(self, name: str, strategy: Strategy) -> str:
        origin = "zone override" if name in self.overridden else f"{strategy} default"
        return f"{name}={self.values.get(name)} ({origin})"


@dataclass(frozen=True)
class ZoneMatch:
    subscriptions: tuple[str, ...] = ()
    resource_groups: tuple[str, ...] = ()
    tags: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.subscriptions or self.resource_groups or self.tags)

    def matches(self, resource: Resource, tags: Mapping[str, str]) -> bool:
        if self.subscriptions and (resource.subscription_id or "") not in self.subscriptions:
            return False
        rg = (resource.resource_group or "").lower()
        if self.resource_groups and not any(fnmatch.fnmatchcase(rg, g) for g in self.resource_groups):
            return False
        lowered = {k.lower(): v for k, v in tags.items()}
        for key, accepted in self.tags.items():
            value = lowered.get(key)
            if value is None or ("*" not in accepted and value.lower() not in accepted):
                return False
        return True


@dataclass(frozen=True)
class Zone:
    name: str
    strategy: Strategy
    rpo: timedelta
    rto: timedelta
    primary_region: str | None = None
    secondary_region: str | None = None
    requirements: Requirements = field(default_factory=lambda: Requirements({}, frozenset()))
    match: ZoneMatch = field(default_factory=ZoneMatch)
    partners: Mapping[str, str] = field(default_factory=dict)
    is_default: bool = False

    def requirement(self, name: str) -> str:
        return self.requirements.describe(name, self.strategy)

    def partner_for(self, resource: Resource) -> str | None:
        """A DR partner declared for the resource in the zone's config (by id or by name)."""
        return self.partners.get(resource.key) or self.partners.get(resource.name.lower())

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "strategy": str(self.strategy),
            "rpo": format_duration(self.rpo),
            "rto": format_duration(self.rto),
            "primary_region": self.primary_region,
            "secondary_region": self.secondary_region,
            "requirements": dict(self.requirements.values),
            "default": self.is_default,
        }


@dataclass(frozen=True)
class Policy:
    zones: tuple[Zone, ...]
    default_zone: Zone
    require_classification: bool = False
    source: str = "<built-in default>"

    def zone_for(self, resource: Resource, inventory: Inventory) -> Zone:
        """The first zone whose selectors all match; resource-group and parent-resource tags count
        as the resource's own (`Inventory.effective_tags`)."""
        tags = inventory.effective_tags(resource)
        return next((z for z in self.zones if z.match.matches(resource, tags)), self.default_zone)

    @property
    def all_zones(self) -> tuple[Zone, ...]:
        return (*self.zones, self.default_zone)


DEFAULT_ZONE_SPEC = {"name": "default", "strategy": "backup-restore", "rpo": "24h", "rto": "24h"}


def default_policy() -> Policy:
    return Policy(zones=(), default_zone=_parse_zone(DEFAULT_ZONE_SPEC, "default_zone", "<built-in>", True))


def load_policy(path: str | Path) -> Policy:
    document = read_yaml(path, "policy")
    return parse_policy(document, str(path))


def parse_policy(document: Any, source: str) -> Policy:
    if not isinstance(document, Mapping):
        raise InputError(source, None, "expected a mapping with a 'zones' list at the top level")
    _reject_unknown(document, {"version", "zones", "default_zone", "require_classification"}, "", source)
    if document.get("version", 1) != 1:
        raise InputError(source, "version", f"expected 1, got {document.get('version')!r}")
    zones_doc = document.get("zones", [])
    if not isinstance(zones_doc, list):
        raise InputError(source, "zones", "expected a list of zones")
    zones = tuple(_parse_zone(z, f"zones[{i}]", source) for i, z in enumerate(zones_doc))
    names = [z.name for z in zones]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate:
        raise InputError(source, "zones", f"zone name {duplicate!r} is used twice")
    default_doc = document.get("default_zone", DEFAULT_ZONE_SPEC)
    default_zone = _parse_zone(default_doc, "default_zone", source, is_default=True)
    require = document.get("require_classification", False)
    if not isinstance(require, bool):
        raise InputError(source, "require_classification", f"expected true or false, got {require!r}")
    return Policy(zones=zones, default_zone=default_zone, require_classification=require, source=source)


_ZONE_KEYS = {"name", "strategy", "rpo", "rto", "primary_region", "secondary_region", "match",
              "requirements", "partners"}


def _parse_zone(doc: Any, where: str, source: str, is_default: bool = False) -> Zone:
    if not isinstance(doc, Mapping):
        raise InputError(source, where, "expected a mapping with name, strategy, rpo and rto")
    _reject_unknown(doc, _ZONE_KEYS, where, source)
    name = doc.get("name", "default" if is_default else None)
    if not isinstance(name, str) or not name.strip():
        raise InputError(source, f"{where}.name", "expected a non-empty zone name")
    strategy = _parse_strategy(doc.get("strategy"), f"{where}.strategy", source)
    rpo = _parse_duration_field(doc, "rpo", where, source)
    rto = _parse_duration_field(doc, "rto", where, source)
    match = _parse_match(doc.get("match"), f"{where}.match", source)
    if match.empty and not is_default:
        raise InputError(source, f"{where}.match", "expected at least one of subscriptions, "
                         "resource_groups or tags")
    return Zone(
        name=name,
        strategy=strategy,
        rpo=rpo,
        rto=rto,
        primary_region=normalize_region(doc.get("primary_region")),
        secondary_region=normalize_region(doc.get("secondary_region")),
        requirements=_parse_requirements(strategy, doc.get("requirements"), f"{where}.requirements", source),
        match=match,
        partners=_parse_partners(doc.get("partners"), f"{where}.partners", source),
        is_default=is_default,
    )


def _parse_strategy(value: Any, where: str, source: str) -> Strategy:
    try:
        return Strategy(str(value).lower())
    except ValueError:
        choices = ", ".join(s.value for s in Strategy)
        raise InputError(source, where, f"expected one of {choices}, got {value!r}") from None


def _parse_duration_field(doc: Mapping[str, Any], key: str, where: str, source: str) -> timedelta:
    if key not in doc:
        raise InputError(source, f"{where}.{key}", "missing; expected a duration like 15m, 4h or 1d")
    try:
        return parse_duration(doc[key])
    except ValueError as exc:
        raise InputError(source, f"{where}.{key}", str(exc)) from None


def _parse_match(doc: Any, where: str, source: str) -> ZoneMatch:
    if doc is None:
        return ZoneMatch()
    if not isinstance(doc, Mapping):
        raise InputError(source, where, "expected a mapping of subscriptions, resource_groups and tags")
    _reject_unknown(doc, {"subscriptions", "resource_groups", "tags"}, where, source)
    subscriptions = _string_list(doc.get("subscriptions"), f"{where}.subscriptions", source)
    groups = _string_list(doc.get("resource_groups"), f"{where}.resource_groups", source)
    tags_doc = doc.get("tags") or {}
    if not isinstance(tags_doc, Mapping):
        raise InputError(source, f"{where}.tags", "expected a mapping of tag name to value (or list of values)")
    tags = {str(k).lower(): tuple(v.lower() for v in _string_list(val, f"{where}.tags.{k}", source))
            for k, val in tags_doc.items()}
    return ZoneMatch(tuple(s.lower() for s in subscriptions), tuple(g.lower() for g in groups), tags)


def _parse_requirements(strategy: Strategy, doc: Any, where: str, source: str) -> Requirements:
    values: dict[str, str | int] = {**_COMMON_DEFAULTS, **STRATEGY_DEFAULTS[strategy]}
    if doc is None:
        return Requirements(values, frozenset())
    if not isinstance(doc, Mapping):
        raise InputError(source, where, "expected a mapping of requirement name to value")
    _reject_unknown(doc, set(_LEVEL_REQUIREMENTS) | set(_DAY_REQUIREMENTS), where, source)
    for key, value in doc.items():
        if key in _DAY_REQUIREMENTS:
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3650:
                raise InputError(source, f"{where}.{key}", f"expected a whole number of days, got {value!r}")
            values[key] = value
        else:
            values[key] = _parse_level(value, f"{where}.{key}", source)
    return Requirements(values, frozenset(doc))


def _parse_level(value: Any, where: str, source: str) -> str:
    if value is True or value == REQUIRED:
        return REQUIRED
    if value is False or value == OPTIONAL:
        return OPTIONAL
    raise InputError(source, where, f"expected 'required' or 'optional', got {value!r}")


def _parse_partners(doc: Any, where: str, source: str) -> dict[str, str]:
    if doc is None:
        return {}
    if not isinstance(doc, Mapping) or not all(isinstance(v, str) for v in doc.values()):
        raise InputError(source, where, "expected a mapping of resource id or name to partner resource id")
    return {str(k).lower(): v for k, v in doc.items()}


def _string_list(value: Any, where: str, source: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str | int) and not isinstance(value, bool):
        return [str(value)]
    if isinstance(value, list) and all(isinstance(v, str | int) and not isinstance(v, bool) for v in value):
        return [str(v) for v in value]
    raise InputError(source, where, f"expected a string or a list of strings, got {value!r}")


def _reject_unknown(doc: Mapping[str, Any], allowed: set[str], where: str, source: str) -> None:
    unknown = sorted(str(k) for k in doc if k not in allowed)
    if unknown:
        prefix = f"{where}." if where else ""
        raise InputError(source, f"{prefix}{unknown[0]}",
                         f"unknown field; expected one of {', '.join(sorted(allowed))}")
