"""Landing-zone policy: which zone a resource belongs to, and what that zone requires.

Each data landing zone declares a DR strategy (the four of the guidance), an RPO and RTO,
primary and secondary regions and optional requirement overrides. A check judges a resource
against the requirements of its zone, never against one flat rule set.
"""

from __future__ import annotations

import difflib
import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from scanner.errors import InputError, shown
from scanner.model import Inventory, Resource
from scanner.regions import bundled_region_names, normalize_region
from scanner.retention_ranges import accepted_days, accepted_text
from scanner.user_yaml import read_yaml


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
# An RPO or RTO beyond a century is a typo (`99999999999d`), and timedelta overflows soon after.
MAX_DURATION = timedelta(days=36525)
_MAX_DURATION_TEXT = 40


def parse_duration(text: object) -> timedelta:
    """`15m`, `4h`, `1h30m`, `2d`, or ISO 8601 (`PT1H`, `P1D`), at most MAX_DURATION (100 years).
    Raises ValueError otherwise."""
    expected = f"expected a duration like 15m, 4h, 1d or PT1H, got {shown(text)}"
    if isinstance(text, bool) or not isinstance(text, str | int):
        raise ValueError(expected)
    value = str(text).strip()
    if len(value) > _MAX_DURATION_TEXT:
        raise ValueError(expected)
    iso = _ISO_DURATION.match(value)
    if iso and value.upper() not in ("P", "PT"):
        days, hours, minutes, seconds = (int(g or 0) for g in iso.groups())
        total = days * 86400 + hours * 3600 + minutes * 60 + seconds
    else:
        parts = _DURATION_PART.findall(value)
        if not parts or _DURATION_PART.sub("", value).strip():
            raise ValueError(expected)
        total = sum(float(n) * _UNIT_SECONDS[u.lower()] for n, u in parts)
    if total > MAX_DURATION.total_seconds():
        raise ValueError(f"expected a duration of at most 100 years ({MAX_DURATION.days}d), got {shown(text)}")
    return timedelta(seconds=total)


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
        return self.places(resource) and self.tags_match({k.lower(): v for k, v in tags.items()})

    def places(self, resource: Resource) -> bool:
        """The subscription and resource-group selectors (the tags aside)."""
        if self.subscriptions and (resource.subscription_id or "") not in self.subscriptions:
            return False
        rg = (resource.resource_group or "").lower()
        return not self.resource_groups or any(fnmatch.fnmatchcase(rg, g) for g in self.resource_groups)

    def tags_match(self, lowered: Mapping[str, str]) -> bool:
        """The tag selectors, given the tags with their names lower-cased."""
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
    # Where no zone selects by tags, a resource's zone follows from its subscription and resource group
    # alone (ZoneMatch.places): worked out once per group, not once per resource.
    _placed: dict[tuple[str | None, str | None], Zone] = field(default_factory=dict, init=False, repr=False,
                                                               compare=False)
    _by_tags: bool = field(default=False, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_tags", any(zone.match.tags for zone in self.zones))  # frozen: set here

    def zone_for(self, resource: Resource, inventory: Inventory) -> Zone:
        """The first zone whose selectors all match; resource-group and parent-resource tags count
        as the resource's own (`Inventory.effective_tags`)."""
        if self._by_tags:
            return self._first_zone(resource, inventory)
        place = (resource.subscription_id, resource.resource_group)
        zone = self._placed.get(place)
        if zone is None:
            zone = self._placed[place] = self._first_zone(resource, inventory)
        return zone

    def _first_zone(self, resource: Resource, inventory: Inventory) -> Zone:
        lowered: dict[str, str] | None = None  # looked up only for a zone that selects by tags
        for zone in self.zones:
            if not zone.match.places(resource):
                continue
            if zone.match.tags:
                if lowered is None:
                    lowered = {k.lower(): v for k, v in inventory.effective_tags(resource).items()}
                if not zone.match.tags_match(lowered):
                    continue
            return zone
        return self.default_zone

    @property
    def all_zones(self) -> tuple[Zone, ...]:
        return (*self.zones, self.default_zone)


DEFAULT_ZONE_SPEC = {"name": "default", "strategy": "backup-restore", "rpo": "24h", "rto": "24h"}
# Strategies whose DR copy lives in a named other region: a zone of these must say which.
NEEDS_SECONDARY_REGION = frozenset({Strategy.WARM_SPARE, Strategy.HOT_SPARE})
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
# /subscriptions/{guid}[/resourceGroups/{rg}]/providers/{namespace}/{type}/{name}[/{type}/{name}...]
_RESOURCE_ID = re.compile(r"^/subscriptions/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
                          r"(?:/resourceGroups/[^/]+)?/providers/[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)+(?:/[^/]+/[^/]+)+$",
                          re.IGNORECASE)


def default_policy() -> Policy:
    return Policy(zones=(), default_zone=_parse_zone(DEFAULT_ZONE_SPEC, "default_zone", "<built-in>", True))


def load_policy(path: str | Path) -> Policy:
    """A policy file, validated; tag values in match selectors are read as their text."""
    document = read_yaml(path, "policy", text_keys=frozenset({"tags"}))
    policy = parse_policy(document, str(path))
    require_secondary_regions(policy)
    return policy


def require_secondary_regions(policy: Policy) -> None:
    """A warm- or hot-spare zone must name its secondary region: without it the checks that look for
    the standby could only say unknown. (Policies built in code may leave it out; those checks then
    report unknown.)"""
    for where, zone in _zone_fields(policy):
        if zone.strategy in NEEDS_SECONDARY_REGION and not zone.secondary_region:
            raise InputError(policy.source, f"{where}.secondary_region",
                             f"missing; zone {zone.name!r} is {zone.strategy}, which keeps its DR copy in a "
                             "secondary region: name it (e.g. northeurope)")


def _zone_fields(policy: Policy) -> list[tuple[str, Zone]]:
    return [*((f"zones[{i}]", z) for i, z in enumerate(policy.zones)), ("default_zone", policy.default_zone)]


def parse_policy(document: Any, source: str) -> Policy:
    if not isinstance(document, Mapping):
        raise InputError(source, None, "expected a mapping with a 'zones' list at the top level")
    _reject_unknown(document, {"version", "zones", "default_zone", "require_classification"}, "", source)
    version = document.get("version", 1)
    if type(version) is not int or version != 1:
        raise InputError(source, "version", f"expected 1, got {shown(version)}")
    zones_doc = document.get("zones", [])
    if not isinstance(zones_doc, list):
        raise InputError(source, "zones", "expected a list of zones")
    zones = tuple(_parse_zone(z, f"zones[{i}]", source) for i, z in enumerate(zones_doc))
    default_doc = document.get("default_zone", DEFAULT_ZONE_SPEC)
    default_zone = _parse_zone(default_doc, "default_zone", source, is_default=True)
    require = document.get("require_classification", False)
    if not isinstance(require, bool):
        raise InputError(source, "require_classification", f"expected true or false, got {shown(require)}")
    policy = Policy(zones=zones, default_zone=default_zone, require_classification=require, source=source)
    _reject_duplicate_names(policy)
    return policy


def _reject_duplicate_names(policy: Policy) -> None:
    """Zone names label every finding: two zones of one name would be indistinguishable in a report."""
    first: dict[str, str] = {}
    for where, zone in _zone_fields(policy):
        earlier = first.setdefault(zone.name.lower(), where)
        if earlier != where:
            raise InputError(policy.source, f"{where}.name", f"zone name {zone.name!r} is already used by {earlier}")


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
    primary = _parse_region(doc.get("primary_region"), f"{where}.primary_region", source)
    secondary = _parse_region(doc.get("secondary_region"), f"{where}.secondary_region", source)
    if primary and primary == secondary:
        raise InputError(source, f"{where}.secondary_region",
                         f"is the primary region {primary} too; a DR copy must be in another region")
    return Zone(
        name=name,
        strategy=strategy,
        rpo=rpo,
        rto=rto,
        primary_region=primary,
        secondary_region=secondary,
        requirements=_parse_requirements(strategy, doc.get("requirements"), f"{where}.requirements", source, name),
        match=match,
        partners=_parse_partners(doc.get("partners"), f"{where}.partners", source),
        is_default=is_default,
    )


def _parse_strategy(value: Any, where: str, source: str) -> Strategy:
    if isinstance(value, str) and value.lower() in {s.value for s in Strategy}:
        return Strategy(value.lower())
    choices = ", ".join(s.value for s in Strategy)
    raise InputError(source, where, f"expected one of {choices}, got {shown(value)}")


def _parse_duration_field(doc: Mapping[str, Any], key: str, where: str, source: str) -> timedelta:
    if key not in doc:
        raise InputError(source, f"{where}.{key}", "missing; expected a duration like 15m, 4h or 1d")
    try:
        return parse_duration(doc[key])
    except ValueError as exc:
        raise InputError(source, f"{where}.{key}", str(exc)) from None


def _parse_region(value: Any, where: str, source: str) -> str | None:
    """A region of the bundled table (scanner/data/regions.json), by name or display name."""
    if value is None:
        return None
    name = normalize_region(value)
    if not isinstance(value, str) or name is None:
        raise InputError(source, where, f"expected a region name such as westeurope, got {shown(value)}")
    known = bundled_region_names()
    if name not in known:
        close = difflib.get_close_matches(name, sorted(known), n=1)
        hint = f"; did you mean {close[0]}?" if close else " (the bundled region table lists the regions known)"
        raise InputError(source, where, f"unknown region {shown(value)}{hint}")
    return name


def _parse_match(doc: Any, where: str, source: str) -> ZoneMatch:
    if doc is None:
        return ZoneMatch()
    if not isinstance(doc, Mapping):
        raise InputError(source, where, "expected a mapping of subscriptions, resource_groups and tags")
    _reject_unknown(doc, {"subscriptions", "resource_groups", "tags"}, where, source)
    subscriptions = _string_list(doc.get("subscriptions"), f"{where}.subscriptions", source)
    for i, subscription in enumerate(subscriptions):
        if not _GUID.match(subscription):
            raise InputError(source, f"{where}.subscriptions[{i}]",
                             f"expected a subscription id (a GUID), got {shown(subscription)}")
    groups = _string_list(doc.get("resource_groups"), f"{where}.resource_groups", source)
    tags_doc = doc.get("tags") or {}
    if not isinstance(tags_doc, Mapping):
        raise InputError(source, f"{where}.tags", "expected a mapping of tag name to value (or list of values)")
    tags = {}
    for key, value in tags_doc.items():
        if not isinstance(key, str) or not key:
            raise InputError(source, f"{where}.tags", f"expected tag names, got {shown(key)}")
        accepted = _string_list(value, f"{where}.tags.{key}", source)
        if not accepted:
            raise InputError(source, f"{where}.tags.{key}", "expected a tag value, a list of values, or '*'")
        tags[str(key).lower()] = tuple(v.lower() for v in accepted)
    return ZoneMatch(tuple(s.lower() for s in subscriptions), tuple(g.lower() for g in groups), tags)


def _parse_requirements(strategy: Strategy, doc: Any, where: str, source: str, zone_name: str) -> Requirements:
    values: dict[str, str | int] = {**_COMMON_DEFAULTS, **STRATEGY_DEFAULTS[strategy]}
    if doc is None:
        return Requirements(values, frozenset())
    if not isinstance(doc, Mapping):
        raise InputError(source, where, "expected a mapping of requirement name to value")
    _reject_unknown(doc, set(_LEVEL_REQUIREMENTS) | set(_DAY_REQUIREMENTS), where, source)
    for key, value in doc.items():
        if key in _DAY_REQUIREMENTS:
            values[key] = _parse_days(key, value, f"{where}.{key}", source, zone_name)
        else:
            values[key] = _parse_level(value, f"{where}.{key}", source)
    return Requirements(values, frozenset(doc))


def _parse_days(key: str, value: Any, where: str, source: str, zone_name: str) -> int:
    """A day requirement within what some service can keep (scanner/retention_ranges.py), or 0 (off):
    a value no service can reach (`100000`) is a typo, never a requirement every resource fails."""
    low, high = accepted_days(key)
    if isinstance(value, bool) or not isinstance(value, int) or not (value == 0 or low <= value <= high):
        raise InputError(source, where, f"zone {zone_name!r}: got {shown(value)}; expected {accepted_text(key)}")
    return value


def _parse_level(value: Any, where: str, source: str) -> str:
    if value is True or value == REQUIRED:
        return REQUIRED
    if value is False or value == OPTIONAL:
        return OPTIONAL
    raise InputError(source, where, f"expected 'required' or 'optional', got {shown(value)}")


def _parse_partners(doc: Any, where: str, source: str) -> dict[str, str]:
    """Declared DR partners: resource id or name -> the partner's full resource id."""
    if doc is None:
        return {}
    if not isinstance(doc, Mapping):
        raise InputError(source, where, "expected a mapping of resource id or name to partner resource id")
    partners = {}
    for key, partner in doc.items():
        if not isinstance(key, str) or not key.strip() or (key.startswith("/") and not _RESOURCE_ID.match(key)):
            raise InputError(source, where, f"expected a resource name or full resource id as key, got {shown(key)}")
        if not isinstance(partner, str) or not _RESOURCE_ID.match(partner):
            raise InputError(source, f"{where}.{key}", "expected the partner's full resource id "
                             f"(/subscriptions/<id>/resourceGroups/<group>/providers/...), got {shown(partner)}")
        partners[key.lower()] = partner
    return partners


def _string_list(value: Any, where: str, source: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str | int) and not isinstance(value, bool):
        return [str(value)]
    if isinstance(value, list) and all(isinstance(v, str | int) and not isinstance(v, bool) for v in value):
        return [str(v) for v in value]
    raise InputError(source, where, f"expected a string or a list of strings, got {shown(value)}")


def _reject_unknown(doc: Mapping[str, Any], allowed: set[str], where: str, source: str) -> None:
    unknown = sorted(str(k) for k in doc if k not in allowed)
    if unknown:
        prefix = f"{where}." if where else ""
        raise InputError(source, f"{prefix}{unknown[0][:80]}",
                         f"unknown field; expected one of {', '.join(sorted(allowed))}")
