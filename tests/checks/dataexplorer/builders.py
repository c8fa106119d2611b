"""Data Explorer documents for the ADX and GEN-002 tests, built from Microsoft's REST API examples."""

from __future__ import annotations

from typing import Any

from tests.helpers import SUB, arm_id, example_body

CLUSTER_TYPE = "Microsoft.Kusto/clusters"


def cluster(name: str = "adx-sales-weu", location: str = "westeurope", *, zones: list[str] | None = None,
            sub: str = SUB, rg: str = "rg-data", zone_status: str | None = None) -> dict[str, Any]:
    """KustoClustersGet (NonZonal, no zones) re-homed; `zones` and `zone_status` set what ARM reports."""
    body = example_body("azure-kusto/KustoClustersGet.json")
    body.update(id=arm_id(CLUSTER_TYPE, name, rg, sub), name=name, location=location)
    if zones is not None:
        body["zones"] = zones
    if zone_status is not None:
        body["properties"]["zoneStatus"] = zone_status
    return body


def follows(follower: dict[str, Any], leader: dict[str, Any]) -> dict[str, Any]:
    """An attached database configuration of `follower` following all databases of `leader`, from
    KustoAttachedDatabaseConfigurationsListByCluster."""
    config = example_body("azure-kusto/KustoAttachedDatabaseConfigurationsListByCluster.json")["value"][0]
    config["id"] = f"{follower['id']}/AttachedDatabaseConfigurations/follow-{leader['name']}"
    config["name"] = f"{follower['name']}/follow-{leader['name']}"
    config["location"] = follower["location"]
    config["properties"].update(clusterResourceId=leader["id"], databaseName="*")
    return config
