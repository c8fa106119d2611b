"""A small, realistic estate for the report tests, written as a snapshot the CLI reads.

It sits on the sample estate's subscriptions, resource groups and locations (00-estate.json)
and the sample policy, and holds storage accounts whose replication makes STG-001 pass, fail,
not apply (the redeploy sandbox) and stay unknown (an account whose SKU was not returned), plus
one read error. Tests change one account at a time and compare what the reports say.
"""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

from tests.helpers import REPO, example_body

SUB_DMLZ = "6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e01"
SUB_SALES = "6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e02"
SUB_RESEARCH = "6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e03"
POLICY = REPO / "fixtures" / "policies" / "sample-policy.yaml"
STORAGE = "Microsoft.Storage/storageAccounts"
COLLECTED_AT = "2026-11-20T06:00:00Z"

# name, subscription, resource group, region, SKU (None: the SKU was not returned)
ACCOUNTS: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("stdmlzcatalogweu", SUB_DMLZ, "rg-dmlz-governance", "westeurope", "Standard_RAGRS"),
    ("stdmlzauditweu", SUB_DMLZ, "rg-dmlz-shared", "westeurope", "Standard_LRS"),
    ("stsalesrawweu", SUB_SALES, "rg-sales-ingest", "westeurope", "Standard_RAGZRS"),
    ("stsalescuratedweu", SUB_SALES, "rg-sales-serving", "westeurope", "Standard_ZRS"),
    ("stsalesexportweu", SUB_SALES, "rg-sales-serving", "westeurope", "Premium_LRS"),
    ("stsalesrawneu", SUB_SALES, "rg-sales-dr", "northeurope", "Standard_GRS"),
    ("stresearchlakegwc", SUB_RESEARCH, "rg-research-lake", "germanywestcentral", "Standard_LRS"),
    ("stresearchstaginggwc", SUB_RESEARCH, "rg-research-lake", "germanywestcentral", None),
    ("stsandboxscratchgwc", SUB_RESEARCH, "rg-research-sandbox", "germanywestcentral", "Standard_LRS"),
)
READ_ERROR = {
    "scope": f"/subscriptions/{SUB_RESEARCH}/resourceGroups/rg-research-lake/providers/{STORAGE}/stresearchlakegwc",
    "data": "Microsoft.Storage/storageAccounts/objectReplicationPolicies",
    "error": "AuthorizationFailed: the client does not have authorization to perform action "
             "'Microsoft.Storage/storageAccounts/objectReplicationPolicies/read'",
    "status": 403,
}


def account_id(name: str) -> str:
    _, sub, rg, _, _ = next(a for a in ACCOUNTS if a[0] == name)
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{STORAGE}/{name}"


def storage_account(name: str, sub: str, rg: str, region: str, sku: str | None) -> dict[str, Any]:
    """Microsoft's GetProperties example, re-homed: the shape ARM really returns."""
    body = example_body("storage/StorageAccountGetProperties.json")
    body["id"] = f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{STORAGE}/{name}"
    body["name"] = name
    body["location"] = region
    body["kind"] = "StorageV2"
    body["tags"] = {"data-product": name.removeprefix("st")}
    props = body["properties"]
    props["primaryLocation"] = region
    props["creationTime"] = "2025-03-11T09:14:52.1830512Z"
    for endpoints in (props.get("primaryEndpoints"), props.get("secondaryEndpoints")):
        for key, url in list((endpoints or {}).items()):
            if isinstance(url, str):
                endpoints[key] = url.replace("sto8596", name)
    if sku is None:
        body.pop("sku", None)
    else:
        body["sku"] = {"name": sku, "tier": sku.split("_")[0]}
    if "geoReplicationStats" in props:  # the example's last sync is years old: make it minutes, as in life
        props["geoReplicationStats"]["lastSyncTime"] = "2026-11-20T05:52:10Z"
    if sku is None or not sku.endswith(("GRS", "GZRS")):
        props.pop("geoReplicationStats", None)
        props.pop("secondaryLocation", None)
        props.pop("secondaryEndpoints", None)
        props.pop("statusOfSecondary", None)
    return body


def blob_service(account: dict[str, Any]) -> dict[str, Any]:
    """The account's `default` blob service (soft delete, versioning), from Microsoft's example."""
    body = example_body("storage/BlobServicesGet.json")
    body["id"] = f"{account['id']}/blobServices/default"
    body["properties"].pop("cors", None)
    body["properties"]["deleteRetentionPolicy"] = {"enabled": True, "days": 14}
    body["properties"]["containerDeleteRetentionPolicy"] = {"enabled": True, "days": 14}
    body["properties"]["isVersioningEnabled"] = True
    return body


def snapshot(skus: dict[str, str | None] | None = None, *, shuffle_seed: int | None = None,
             with_read_error: bool = True, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """The estate as a snapshot document; `skus` overrides accounts' SKUs (fix or break one)."""
    base = json.loads((REPO / "fixtures" / "sample-estate" / "00-estate.json").read_text("utf-8"))
    skus = skus or {}
    accounts = [storage_account(name, sub, rg, region, skus.get(name, sku))
                for name, sub, rg, region, sku in ACCOUNTS if name not in drop]
    resources = [doc for account in accounts for doc in (account, blob_service(account))]
    if shuffle_seed is not None:
        random.Random(shuffle_seed).shuffle(resources)
    return {
        "kind": "bcdr-scan/snapshot",
        "version": 1,
        "collected_at": COLLECTED_AT,
        "source": {"description": "bcdr-scan report tests"},
        "subscriptions": copy.deepcopy(base["subscriptions"]),
        "locations": copy.deepcopy(base["locations"]),
        "resource_groups": copy.deepcopy(base["resource_groups"]),
        "resources": resources,
        "locks": [],
        "gaps": [dict(READ_ERROR)] if with_read_error else [],
    }


def write_snapshot(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path
