"""What a storage account's SKU and properties say about where its data lives (shared by the STG checks)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from scanner.model import Resource

STORAGE_ACCOUNT = "Microsoft.Storage/storageAccounts"
GEO_REDUNDANT = frozenset({"GRS", "RAGRS", "GZRS", "RAGZRS"})
ZONE_REDUNDANT = frozenset({"ZRS", "GZRS", "RAGZRS"})
READ_ACCESS = frozenset({"RAGRS", "RAGZRS"})
KNOWN = frozenset({"LRS", *GEO_REDUNDANT, *ZONE_REDUNDANT})
# lastSyncTime comes from the storage service's clock, the scan time from the collector's (or the
# snapshot's collected_at): a few minutes apart is clock skew, more is a timestamp that cannot be true.
CLOCK_SKEW = timedelta(minutes=5)


def replication(account: Resource) -> str | None:
    """`Standard_RAGZRS` -> `RAGZRS`; None when the SKU is missing or unrecognised."""
    name = (account.sku or {}).get("name")
    if not isinstance(name, str) or "_" not in name:
        return None
    kind = name.split("_", 1)[1].upper()
    return kind if kind in KNOWN else None


def sku_name(account: Resource) -> str | None:
    name = (account.sku or {}).get("name")
    return name if isinstance(name, str) else None


def is_hns(account: Resource) -> bool:
    """Data Lake Storage Gen2 (hierarchical namespace). ARM omits `isHnsEnabled` on flat accounts."""
    return account.prop("isHnsEnabled") is True


_BEYOND_MICROSECONDS = re.compile(r"(\.\d{6})\d+")


def parse_timestamp(value: object) -> datetime | None:
    """An ARM timestamp (`2026-11-20T05:48:12Z`, up to 7 fraction digits) as aware UTC, or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    # ARM writes 7 fraction digits (.NET ticks); keep microseconds so any fromisoformat accepts it.
    text = _BEYOND_MICROSECONDS.sub(r"\1", text) if "." in text else text
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def human_duration(delta: timedelta) -> str:
    """`4h12m`, `2d3h`, `40s`: the two largest units, enough to compare against an RPO at a glance."""
    seconds = int(delta.total_seconds())
    parts = [(seconds // 86400, "d"), (seconds % 86400 // 3600, "h"), (seconds % 3600 // 60, "m"), (seconds % 60, "s")]
    shown = [f"{value}{unit}" for value, unit in parts if value]
    return "".join(shown[:2]) or "0s"
