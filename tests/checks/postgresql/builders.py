"""PostgreSQL flexible server documents for the PG tests, built from Microsoft's REST API examples."""

from __future__ import annotations

from typing import Any

from tests.helpers import SUB, arm_id, example_body, override

SERVER_TYPE = "Microsoft.DBforPostgreSQL/flexibleServers"


def server(name: str = "psql-orders-weu", location: str = "westeurope", *, rg: str = "rg-data", sub: str = SUB,
           tier: str | None = None, tags: dict[str, str] | None = None, **backup_and_ha: Any) -> dict[str, Any]:
    """ServersGet (General Purpose, geo-redundant backup, 7 days, no HA) re-homed. Keyword args set
    `backup.<key>` or `highAvailability.<key>` (`geoRedundantBackup`, `backupRetentionDays`, `mode`); None
    removes one."""
    body = example_body("postgresql/ServersGet.json")
    body.update(id=arm_id(SERVER_TYPE, name, rg, sub), name=name, location=location, tags=tags or {})
    if tier:
        body["sku"] = {"name": "Standard_B2s" if tier == "Burstable" else "Standard_D4ds_v5", "tier": tier}
    props = body["properties"]
    for key, value in backup_and_ha.items():
        section = "highAvailability" if key in ("mode", "state") else "backup"
        override(props[section], {key: value})
    return body


def replica(of: dict[str, Any], name: str = "psql-orders-neu", location: str = "northeurope",
            role: str = "GeoAsyncReplica", rg: str = "rg-data-dr") -> dict[str, Any]:
    """A read replica of `of`, from the ReplicasListByServer example (which names no source)."""
    body = example_body("postgresql/ReplicasListByServer.json")["value"][0]
    body.update(id=arm_id(SERVER_TYPE, name, rg, of["id"].split("/")[2]), name=name, location=location)
    props = body["properties"]
    props["replicationRole"] = role
    props["replica"]["role"] = role
    props["sourceServerResourceId"] = of["id"]
    return body
