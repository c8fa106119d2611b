"""What a storage account's SKU says about where its data lives (shared by the STG checks)."""

from __future__ import annotations

from scanner.model import Resource

STORAGE_ACCOUNT = "Microsoft.Storage/storageAccounts"
GEO_REDUNDANT = frozenset({"GRS", "RAGRS", "GZRS", "RAGZRS"})
ZONE_REDUNDANT = frozenset({"ZRS", "GZRS", "RAGZRS"})
READ_ACCESS = frozenset({"RAGRS", "RAGZRS"})
KNOWN = frozenset({"LRS", *GEO_REDUNDANT, *ZONE_REDUNDANT})


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
