"""Region metadata: paired region and availability-zone support.

Live scans read it from the subscription's locations list; snapshots made without it fall back
to the bundled table in `scanner/data/regions.json`, and the report says which was used.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

_STAGE_SUFFIX = re.compile(r"\(.*\)$")


def normalize_region(value: object) -> str | None:
    """`East US 2`, `eastus2` and `eastus2(stage)` all name the region `eastus2`."""
    if not isinstance(value, str) or not value.strip():
        return None
    return _normalized(value)


@lru_cache(maxsize=4096)  # a few dozen regions, asked for by every resource; bounded for hostile input
def _normalized(value: str) -> str | None:
    return _STAGE_SUFFIX.sub("", value).replace(" ", "").lower() or None


@dataclass(frozen=True)
class RegionInfo:
    name: str
    paired_region: str | None
    has_availability_zones: bool
    source: str  # "live" (subscription locations) or "bundled" (the table shipped with the tool)


@dataclass(frozen=True)
class RegionCatalog:
    live: Mapping[str, RegionInfo]

    @classmethod
    def from_locations(cls, locations: Iterable[Mapping[str, Any]]) -> RegionCatalog:
        live: dict[str, RegionInfo] = {}
        for location in locations:
            info = _info_from_location(location)
            if info:
                live[info.name] = info
        return cls(live)

    @property
    def source(self) -> str:
        return "live" if self.live else "bundled"

    def get(self, region: str | None) -> RegionInfo | None:
        name = normalize_region(region)
        if not name:
            return None
        return self.live.get(name) or _bundled().get(name)


def _info_from_location(location: Mapping[str, Any]) -> RegionInfo | None:
    """Region facts from a live locations document; a fact the document leaves out (a hand-written
    or trimmed list) comes from the bundled table rather than being read as "no pair" / "no zones"."""
    name = normalize_region(location.get("name"))
    if not name:
        return None
    metadata = location.get("metadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}  # untrusted: a snapshot may hold anything
    if metadata.get("regionType") == "Logical":
        return None
    fallback = _bundled().get(name)
    if "pairedRegion" in metadata:
        pairs = metadata.get("pairedRegion")
        pairs = pairs if isinstance(pairs, list) else []
        paired = normalize_region(pairs[0].get("name")) if pairs and isinstance(pairs[0], Mapping) else None
    else:
        paired = fallback.paired_region if fallback else None
    if "availabilityZoneMappings" in location or fallback is None:
        zones = bool(location.get("availabilityZoneMappings"))
    else:
        zones = fallback.has_availability_zones
    return RegionInfo(name=name, paired_region=paired, has_availability_zones=zones, source="live")


def bundled_region_names() -> frozenset[str]:
    """The region names of the bundled table (what a policy may name; see scanner/policy.py)."""
    return frozenset(_bundled())


@cache
def _bundled() -> dict[str, RegionInfo]:
    table = json.loads(resources.files("scanner").joinpath("data/regions.json").read_text("utf-8"))
    return {
        name: RegionInfo(name, row.get("paired"), bool(row.get("zones")), "bundled")
        for name, row in table["regions"].items()
    }
