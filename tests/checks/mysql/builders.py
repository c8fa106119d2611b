"""MySQL flexible server documents for the MY tests, built from Microsoft's REST API examples."""

from __future__ import annotations

from typing import Any

from tests.helpers import SUB, arm_id, example_body, override

SERVER_TYPE = "Microsoft.DBforMySQL/flexibleServers"


def server(name: str = "mysql-web-weu", location: str = "westeurope", *, rg: str = "rg-data", sub: str = SUB,
           burstable: bool = False, role: str | None = None, storage_redundancy: str | None = None,
           tags: dict[str, str] | None = None, **backup_and_ha: Any) -> dict[str, Any]:
    """ServerGet (General Purpose, locally redundant, no geo backup, 7 days, no HA, role None) re-homed;
    `burstable` takes the Burstable server of ServersList instead. Keyword args set `backup.<key>` or
    `highAvailability.mode`; None removes one."""
    body = (example_body("mysql/ServersList.json")["value"][0] if burstable
            else example_body("mysql/ServerGet.json"))
    body.update(id=arm_id(SERVER_TYPE, name, rg, sub), name=name, location=location, tags=tags or {})
    props = body["properties"]
    if role:
        props["replicationRole"] = role
    if storage_redundancy:
        props["storage"]["storageRedundancy"] = storage_redundancy
    for key, value in backup_and_ha.items():
        override(props["highAvailability"] if key == "mode" else props["backup"], {key: value})
    return body


def replica(of: dict[str, Any], name: str = "mysql-web-neu", location: str = "northeurope",
            **backup: Any) -> dict[str, Any]:
    """A read replica of `of`, from the ReplicasListByServer example (role Replica)."""
    body = example_body("mysql/ReplicasListByServer.json")["value"][0]
    body.update(id=arm_id(SERVER_TYPE, name, "rg-data", of["id"].split("/")[2]), name=name, location=location)
    body["properties"]["sourceServerResourceId"] = of["id"]
    override(body["properties"]["backup"], backup)
    return body
