"""Turn ARM and Resource Graph response bodies into inventory documents.

ARM list calls return `{"value": [...], "nextLink": ...}`, single GETs return the document,
Resource Graph returns `{"data": [...]}` (objectArray) or `{"data": {"columns", "rows"}}`
(table). All of them are sorted here into the inventory's buckets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from scanner.model import Inventory, Resource, type_from_id

_SUBSCRIPTION_ID = re.compile(r"^/subscriptions/[^/]+$", re.IGNORECASE)
_RESOURCE_GROUP_ID = re.compile(r"^/subscriptions/[^/]+/resourceGroups/[^/]+$", re.IGNORECASE)
_LOCATION_ID = re.compile(r"^/subscriptions/[^/]+/locations/[^/]+$", re.IGNORECASE)


def documents_from_response(body: Any) -> list[dict[str, Any]]:
    """The ARM documents in one response body, whatever its shape."""
    if not isinstance(body, Mapping):
        return []
    if isinstance(body.get("value"), list):
        return _with_ids(body["value"])
    data = body.get("data")
    if isinstance(data, list):
        return _with_ids(data)
    if isinstance(data, Mapping) and isinstance(data.get("columns"), list):
        names = [c.get("name") for c in data["columns"]]
        return _with_ids(dict(zip(names, row, strict=False)) for row in data.get("rows", []))
    return _with_ids([body])


def _with_ids(items: Iterable[Any]) -> list[dict[str, Any]]:
    # Aggregate Resource Graph rows (summarize ... by) have no id and describe no resource.
    return [dict(d) for d in items if isinstance(d, Mapping) and isinstance(d.get("id"), str)]


def inventory_from_documents(documents: Iterable[Mapping[str, Any]], collected_at: datetime | None = None,
                             ) -> Inventory:
    """Sort documents into subscriptions, locations, resource groups, locks and resources."""
    inventory = Inventory(collected_at=collected_at)
    for doc in documents:
        doc_id = str(doc.get("id") or "")
        doc_type = str(doc.get("type") or type_from_id(doc_id)).lower()
        if _SUBSCRIPTION_ID.match(doc_id) or ("subscriptionId" in doc and not doc_type):
            inventory.subscriptions.append(dict(doc))
        elif _LOCATION_ID.match(doc_id):
            inventory.locations.append(dict(doc))
        elif _RESOURCE_GROUP_ID.match(doc_id) or doc_type == "microsoft.resources/resourcegroups":
            inventory.resource_groups.append(dict(doc))
        elif doc_type == "microsoft.authorization/locks":
            inventory.locks.append(dict(doc))
        elif doc_type:
            inventory.resources.append(Resource(dict(doc)))
    # Some list responses repeat items (Microsoft's Factories_List example does): one id, one resource.
    inventory.resources = list({r.key: r for r in inventory.resources}.values())
    inventory.reindex()
    return inventory
