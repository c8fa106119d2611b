"""Cosmos DB account documents for the COS tests, built on Microsoft's GET example."""

from __future__ import annotations

from typing import Any

from scanner.regions import normalize_region
from tests.helpers import arm_id, example_body

DATABASE_ACCOUNT = "Microsoft.DocumentDB/databaseAccounts"
OMIT = object()  # leave the property out of the document

def periodic(redundancy: str = "Geo", interval: int = 240) -> dict[str, Any]:
    return {"type": "Periodic", "periodicModeProperties": {
        "backupIntervalInMinutes": interval, "backupRetentionIntervalInHours": 8,
        "backupStorageRedundancy": redundancy}}


def continuous(tier: str = "Continuous7Days") -> dict[str, Any]:
    return {"type": "Continuous", "continuousModeProperties": {"tier": tier}}


def account(regions: tuple[tuple[str, bool | None], ...] = (("West Europe", True),), *, name: str = "cosmos-sales",
            multi_write: Any = OMIT, automatic_failover: Any = OMIT, backup: Any = OMIT) -> dict[str, Any]:
    """The GET example re-pointed at `regions` (display name, isZoneRedundant or None to omit it)."""
    body = example_body("cosmos-db/CosmosDBDatabaseAccountGet.json")
    body.update(id=arm_id(DATABASE_ACCOUNT, name), name=name, location=regions[0][0])
    props = body["properties"]
    locations = [_location(name, display, priority, zr) for priority, (display, zr) in enumerate(regions)]
    props["locations"] = locations
    props["readLocations"] = locations
    props["writeLocations"] = locations if multi_write is True else locations[:1]
    props["failoverPolicies"] = [{k: loc[k] for k in ("id", "locationName", "failoverPriority")} for loc in locations]
    for key, value in (("enableMultipleWriteLocations", multi_write), ("enableAutomaticFailover", automatic_failover),
                       ("backupPolicy", backup)):
        if value is not OMIT:  # otherwise keep the example's (absent flags, periodic geo-redundant backups)
            props[key] = value
    return body


def _location(account_name: str, display: str, priority: int, zone_redundant: bool | None) -> dict[str, Any]:
    slug = normalize_region(display)
    location: dict[str, Any] = {
        "id": f"{account_name}-{slug}",
        "locationName": display,
        "documentEndpoint": f"https://{account_name}-{slug}.documents.azure.com:443/",
        "provisioningState": "Succeeded",
        "failoverPriority": priority,
    }
    if zone_redundant is not None:
        location["isZoneRedundant"] = zone_redundant
    return location
