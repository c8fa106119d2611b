"""Storage documents for the STG tests, built from Microsoft's REST API example bodies."""

from __future__ import annotations

from typing import Any

from tests.helpers import SUB, arm_id, example_body, override

ACCOUNT_TYPE = "Microsoft.Storage/storageAccounts"


def account(name: str = "stsalesrawweu", sku: str | None = "Standard_RAGZRS", *, rg: str = "rg-data", sub: str = SUB,
            location: str = "westeurope", hns: bool | None = True, stats: dict[str, Any] | None = None,
            tags: dict[str, str] | None = None, kind: str = "StorageV2") -> dict[str, Any]:
    """StorageAccountGetProperties re-homed: its id, region, SKU, namespace, replication stats and tags."""
    body = example_body("storage/StorageAccountGetProperties.json")
    body.update(id=arm_id(ACCOUNT_TYPE, name, rg, sub), name=name, location=location, kind=kind,
                tags=tags or {})
    props = body["properties"]
    props["primaryLocation"] = location
    if sku is None:
        del body["sku"]
    else:
        body["sku"] = {"name": sku, "tier": sku.split("_")[0]}
    if hns is None:
        props.pop("isHnsEnabled", None)  # as ARM returns a flat-namespace account
    else:
        props["isHnsEnabled"] = hns
    if stats is None:
        props.pop("geoReplicationStats", None)
    else:
        props["geoReplicationStats"] = stats
    return body


def blob_service(of: dict[str, Any], **properties: Any) -> dict[str, Any]:
    """BlobServicesGet re-homed under `of`; `properties` replace the example's (None removes one)."""
    body = example_body("storage/BlobServicesGet.json")
    body["id"] = f"{of['id']}/blobServices/default"
    override(body["properties"], properties)
    return body


def object_replication(source: dict[str, Any], destination: str, *, under: dict[str, Any] | None = None,
                       policy_id: str = "2a6d4b7e-9c1f-4e35-8a0b-5d7c3e1f9a24",
                       by_name: bool = False) -> dict[str, Any]:
    """An object-replication policy as ARM lists it under `under` (the source account by default)."""
    owner = under or source
    return {
        "id": f"{owner['id']}/objectReplicationPolicies/{policy_id}",
        "name": policy_id,
        "type": "Microsoft.Storage/storageAccounts/objectReplicationPolicies",
        "properties": {
            "policyId": policy_id,
            "enabledTime": "2026-03-02T09:14:51.1043712Z",
            "sourceAccount": source["name"] if by_name else source["id"],
            "destinationAccount": destination,
            "rules": [{"ruleId": "d1f0c7e2-3b4a-4c5d-9e8f-7a6b5c4d3e2f", "sourceContainer": "exports",
                       "destinationContainer": "exports", "filters": {"prefixMatch": ["daily/"]}}],
        },
    }
