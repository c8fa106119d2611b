"""Event Hubs documents for the EVH tests, built from Microsoft's REST API examples."""

from __future__ import annotations

from typing import Any

from tests.helpers import SUB, arm_id, example_body

NAMESPACE_TYPE = "Microsoft.EventHub/namespaces"
CLUSTER_TYPE = "Microsoft.EventHub/clusters"


def namespace(name: str = "evhns-sales-weu", location: str = "westeurope", *, tier: str | None = None,
              rg: str = "rg-data", sub: str = SUB, zone_redundant: bool | None = False,
              tags: dict[str, str] | None = None, cluster: dict[str, Any] | None = None) -> dict[str, Any]:
    """EHNameSpaceGet (Standard, zoneRedundant false) re-homed; on the Dedicated `cluster` when one is given
    (the example's own clusterArmId names a cluster no test holds, so it is removed otherwise)."""
    body = example_body("eventhub/EHNameSpaceGet.json")
    body.update(id=arm_id(NAMESPACE_TYPE, name, rg, sub), name=name, location=location, tags=tags or {})
    if cluster is None:
        del body["properties"]["clusterArmId"]
    else:
        body["properties"]["clusterArmId"] = cluster["id"]
    if tier:
        body["sku"] = {"name": tier, "tier": tier, "capacity": 1}
    if zone_redundant is None:
        del body["properties"]["zoneRedundant"]
    else:
        body["properties"]["zoneRedundant"] = zone_redundant
    return body


def geo_replicated(name: str = "evhns-sales-weu", location: str = "westeurope",
                   secondary: str = "northeurope") -> dict[str, Any]:
    """NamespaceWithGeoDRCreate's namespace (geoDataReplication), re-homed with one secondary region."""
    body = example_body("eventhub/NamespaceWithGeoDRCreate.json")
    body.update(id=arm_id(NAMESPACE_TYPE, name), name=name, location=location)
    body["sku"] = {"name": "Premium", "tier": "Premium", "capacity": 1}
    body["properties"]["geoDataReplication"]["locations"] = [
        {"locationName": location, "replicaState": "Active", "roleType": "Primary"},
        {"locationName": secondary, "replicaState": "Active", "roleType": "Secondary"}]
    return body


def alias(of: dict[str, Any], partner: str, *, role: str = "Primary", name: str = "evh-sales") -> dict[str, Any]:
    """EHAliasList's disaster-recovery configuration under `of`, as the example writes it (singular type)."""
    config = example_body("eventhub/EHAliasList.json")["value"][0]
    config["id"] = f"{of['id']}/disasterRecoveryConfig/{name}"
    config["name"] = name
    config["properties"].update(partnerNamespace=partner, role=role)
    return config


def dedicated_cluster(name: str = "evhc-sales-weu", location: str = "westeurope", *, capacity: Any = 1,
                      rg: str = "rg-data", sub: str = SUB) -> dict[str, Any]:
    """A Dedicated cluster as the REST API's ClusterGet returns it (sku Dedicated, capacity in CUs)."""
    return {"id": arm_id(CLUSTER_TYPE, name, rg, sub), "name": name, "type": CLUSTER_TYPE, "location": location,
            "sku": {"name": "Dedicated", "capacity": capacity}, "tags": {},
            "properties": {"provisioningState": "Succeeded", "status": "Active", "supportsScaling": True,
                           "createdAt": "2026-03-02T08:00:00Z", "updatedAt": "2026-03-02T08:30:00Z",
                           "metricId": f"{sub}:{name}"}}
