"""Turn ARM, Resource Graph, Azure CLI and Azure PowerShell JSON into inventory documents.

Shapes read (docs/snapshot-format.md describes them for users):

- ARM list responses `{"value": [...], "nextLink": ...}`, single GETs (the document itself), bare
  lists of documents and Microsoft's REST API example files (`responses["200"].body`);
- Resource Graph results: `{"data": [...]}` (objectArray) or `{"data": {"columns", "rows"}}` (table);
- Azure PowerShell objects as PSRule for Azure's `Export-AzRuleData` writes them: capitalised
  `ResourceId` / `Id` / `Name` / `ResourceType` / `Properties` / `Sku` / `Tags` plus fields PowerShell
  derives from the id;
- child resources nested under a document's `resources` array (PSRule's exports, ARM documents):
  each becomes a document of its own, with its own id;
- Azure CLI output: `az account list` subscriptions, and `az cosmosdb show` / `az storage account show`,
  which flatten `properties` into the document.

Every item becomes one or more ARM documents, or an InputError naming the file and the item's JSON
path. Rows that are clearly not resources (Resource Graph summaries) and lists cut off at a next-page
link are kept as counted read gaps: nothing is dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from scanner.errors import InputError, one_line, shown
from scanner.model import Inventory, ReadGap, Resource, type_from_id
from scanner.shards import check_duplicates

_SUBSCRIPTION_ID = re.compile(r"^/subscriptions/[^/]+$", re.IGNORECASE)
_RESOURCE_GROUP_ID = re.compile(r"^/subscriptions/[^/]+/resourceGroups/[^/]+$", re.IGNORECASE)
_LOCATION_ID = re.compile(r"^/subscriptions/[^/]+/locations/[^/]+$", re.IGNORECASE)
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)

# The top-level fields of an ARM resource document (everything else lives under `properties`).
_ENVELOPE = ("id", "name", "type", "location", "kind", "sku", "tags", "identity", "zones", "plan", "managedBy",
             "extendedLocation", "systemData", "etag")
_ENVELOPE_BY_LOWER = {key.lower(): key for key in _ENVELOPE}
# Fields that listings add beside the envelope without flattening anything: Resource Graph columns,
# `az resource list`, PSRule's export (`resourceGroupName`, `tenantId`).
_LISTING_EXTRAS = frozenset({"resourceGroup", "resourceGroupName", "subscriptionId", "tenantId", "createdTime",
                             "changedTime", "provisioningState", "apiVersion"})
# Types whose Azure CLI output (`az cosmosdb show/list`, `az storage account show/list`) is folded back
# into ARM's shape. The CLI prints the SDK model, whose attributes are ARM's `properties` flattened and
# re-cased snake_case -> camelCase: for the fields the checks read (locations, failoverPriority,
# backupPolicy.*, isHnsEnabled, geoReplicationStats.*, ...) that round trip gives ARM's names back.
_FOLDABLE_CLI_TYPES = frozenset({"microsoft.documentdb/databaseaccounts", "microsoft.storage/storageaccounts"})
_CLI_ONLY = frozenset({"resourceGroup"})
# Azure PowerShell (PSResource) fields derived from the id or added by the cmdlets: nothing ARM returns.
_POWERSHELL_ONLY = frozenset({"resourceid", "resourcename", "resourcetype", "resourcegroupname",
                              "extensionresourcename", "extensionresourcetype", "parentresource", "tagstable",
                              "resources"})
# PowerShell objects nested in the envelope, whose keys PowerShell capitalises as well (Sku.Name, ...).
_POWERSHELL_OBJECTS = frozenset({"sku", "identity", "plan", "extendedLocation"})
_NEXT_PAGE_KEYS = ("nextLink", "@odata.nextLink")
_SKIP_TOKEN_KEYS = ("$skipToken", "skipToken", "skip_token")


@dataclass
class Documents:
    """What one response body or file holds."""

    documents: list[dict[str, Any]] = field(default_factory=list)
    shapes: set[str] = field(default_factory=set)  # "arm", "azure-powershell", "azure-cli"
    skipped: list[str] = field(default_factory=list)  # JSON paths of rows that are not resource documents
    next_pages: list[str] = field(default_factory=list)  # next-page links the body stops at

    def gaps(self, source: str) -> list[ReadGap]:
        """The read gaps a file leaves: rows not read and pages not saved."""
        found = [_next_page_gap(link, source) for link in self.next_pages]
        if self.skipped:
            found.append(ReadGap("/", "rows without a resource id", one_line(
                f"{source}: {len(self.skipped)} row(s) without an id or properties (first: {self.skipped[0]}) "
                "are not resource documents and were not read", 300)))
        return found


def documents_from_response(body: Any, source: str = "<response>") -> list[dict[str, Any]]:
    """The ARM documents in one response body, whatever its shape (see `read_documents`)."""
    return read_documents(body, source).documents


def read_documents(body: Any, source: str) -> Documents:
    """Every document in `body` as ARM JSON; InputError (naming `source` and the item) for one that cannot be read."""
    found = Documents()
    for path, item in _items(_unwrap_example(body, source), source, found):
        _read_item(item, path, source, found)
    return found


def looks_like_arm_json(body: Any) -> bool:
    """Whether `body` has one of the shapes `read_documents` takes (before any item is looked at)."""
    if isinstance(body, list):
        return True
    if not isinstance(body, Mapping):
        return False
    return (isinstance(body.get("value"), list) or "data" in body or isinstance(body.get("responses"), Mapping)
            or _id_key(body) is not None)


def _unwrap_example(body: Any, source: str) -> Any:
    if isinstance(body, Mapping) and isinstance(body.get("responses"), Mapping):
        ok = body["responses"].get("200")
        if not isinstance(ok, Mapping) or "body" not in ok:
            raise InputError(source, "responses", "a REST API example without a '200' response body")
        return ok["body"]
    return body


def _items(body: Any, source: str, found: Documents) -> list[tuple[str, Any]]:
    if isinstance(body, list):
        return [(f"[{i}]", item) for i, item in enumerate(body)]
    if not isinstance(body, Mapping):
        raise InputError(source, None, f"expected ARM JSON (an object or a list), got {_kind(body)}")
    if isinstance(body.get("value"), list):
        found.next_pages += [str(body[k]) for k in _NEXT_PAGE_KEYS if isinstance(body.get(k), str) and body[k]]
        return [(f"value[{i}]", item) for i, item in enumerate(body["value"])]
    if "data" in body:
        found.next_pages += [f"Resource Graph {k} {body[k]}" for k in _SKIP_TOKEN_KEYS
                             if isinstance(body.get(k), str) and body[k]]
        return _graph_rows(body["data"], source)
    if _id_key(body) is not None:
        return [("", body)]
    raise InputError(source, None, "expected ARM or Resource Graph JSON: a 'value' or 'data' list, a list of "
                                   "ARM documents, or one ARM document with an id")


def _graph_rows(data: Any, source: str) -> list[tuple[str, Any]]:
    if isinstance(data, list):
        return [(f"data[{i}]", item) for i, item in enumerate(data)]
    columns = data.get("columns") if isinstance(data, Mapping) else None
    rows = data.get("rows") if isinstance(data, Mapping) else None
    if not isinstance(columns, list) or not isinstance(rows, list):
        raise InputError(source, "data", "expected a list of rows or a table with 'columns' and 'rows' lists")
    names = []
    for i, column in enumerate(columns):
        if not isinstance(column, Mapping) or not isinstance(column.get("name"), str):
            raise InputError(source, f"data.columns[{i}]", "expected a column with a 'name'")
        names.append(column["name"])
    for i, row in enumerate(rows):
        if not isinstance(row, list):
            raise InputError(source, f"data.rows[{i}]", f"expected a row (a list of values), got {_kind(row)}")
    return [(f"data.rows[{i}]", dict(zip(names, row, strict=False))) for i, row in enumerate(rows)]


def _read_item(item: Any, path: str, source: str, found: Documents) -> None:
    """One item and the children nested in it (an explicit stack: nesting depth is the input's to choose)."""
    stack: list[tuple[Any, str, dict[str, Any] | None]] = [(item, path, None)]
    while stack:
        node, where, parent = stack.pop()
        if not isinstance(node, Mapping):
            raise InputError(source, where or None, f"expected an ARM document (a JSON object), got {_kind(node)}")
        children = _nested(node, where, source)
        document, shape = _normalise(node, where, source, parent)
        if document is None:
            found.skipped.append(where or "(the document)")
            continue
        found.documents.append(document)
        found.shapes.add(shape)
        stack.extend((child, f"{where}.resources[{i}]".lstrip("."), document)
                     for i, child in reversed(list(enumerate(children))))


def _nested(node: Mapping[str, Any], where: str, source: str) -> list[Any]:
    key = next((k for k in node if isinstance(k, str) and k.lower() == "resources"), None)
    if key is None or node[key] is None:
        return []
    if not isinstance(node[key], list):
        raise InputError(source, f"{where}.{key}".lstrip("."), f"expected a list of nested resources, got "
                                                                 f"{_kind(node[key])}")
    return node[key]


def _normalise(node: Mapping[str, Any], where: str, source: str, parent: dict[str, Any] | None,
               ) -> tuple[dict[str, Any] | None, str]:
    """One document in ARM's shape and the shape it came in; None for a row that is not a resource."""
    if "id" in node and not _has_powershell_keys(node):
        return _arm_document(node, where, source)
    if _id_key(node) is None and parent is None:
        if any(isinstance(k, str) and k.lower() == "properties" for k in node):
            raise InputError(source, where or None, "a document without an 'id': cannot tell which resource it is")
        return None, "arm"  # a Resource Graph summary row ({"type": ..., "count_": 3}) describes no resource
    if _id_key(node) is not None or any(isinstance(k, str) and k[:1].isupper() for k in node):
        return _from_powershell(node, where, source, parent), "azure-powershell"
    assert parent is not None  # only a nested child gets here without an id
    document = {k: v for k, v in node.items() if k != "resources"}  # an ARM template style nested child
    document["id"], document["type"] = _child_id(node, parent, where, source)
    return document, "arm"


# --- ARM and Azure CLI ---------------------------------------------------------------------------

def _arm_document(node: Mapping[str, Any], where: str, source: str) -> tuple[dict[str, Any], str]:
    """An ARM document as it is, or Azure CLI output folded back into ARM's shape."""
    document = {k: v for k, v in node.items() if k != "resources"}
    doc_id = document["id"]
    if isinstance(doc_id, str) and _GUID.match(doc_id) and ({"isDefault", "cloudName", "homeTenantId"} & set(node)):
        return _cli_subscription(document), "azure-cli"
    _check_id(doc_id, _field(where, "id"), source)
    _check_type(document, where, source)
    flattened = [k for k in document if k not in _ENVELOPE and k not in _LISTING_EXTRAS]
    # Subscriptions and locations carry their fields at the top level in ARM itself.
    if "properties" in document or not flattened or bucket_of(document) != "resources":
        return document, "arm"
    doc_type = str(document.get("type") or type_from_id(doc_id))
    if doc_type.lower() not in _FOLDABLE_CLI_TYPES:
        raise InputError(source, where or None, one_line(
            f"this looks like Azure CLI output with properties flattened into the document (no 'properties', "
            f"but {', '.join(sorted(map(str, flattened))[:3])}...); bcdr-scan folds that shape back only for "
            "Cosmos DB and storage accounts: export ARM JSON with `az resource show --ids <id>` or "
            "`az rest --method get --url <id>?api-version=<version>`", 400))
    folded = {k: v for k, v in document.items() if k in _ENVELOPE}
    folded["properties"] = {k: v for k, v in document.items() if k not in _ENVELOPE and k not in _CLI_ONLY}
    return folded, "azure-cli"


def _cli_subscription(node: Mapping[str, Any]) -> dict[str, Any]:
    """`az account list` / `az account show`: `id` is the bare subscription id, `name` its display name."""
    guid = str(node["id"])
    document = {"id": f"/subscriptions/{guid}", "subscriptionId": guid, "displayName": node.get("name"),
                "state": node.get("state"), "tenantId": node.get("tenantId")}
    return {k: v for k, v in document.items() if v is not None}


# --- Azure PowerShell ----------------------------------------------------------------------------

def _from_powershell(node: Mapping[str, Any], where: str, source: str, parent: dict[str, Any] | None,
                     ) -> dict[str, Any]:
    """A PSResource object (Get-AzResource, PSRule's Export-AzRuleData) in ARM's shape.

    `ResourceId` (or `Id`) is the id, `ResourceType` (or `Type`) the type, `Name` (or `ResourceName`) the
    name; other keys lose their leading capital (`Properties` -> `properties`, `ManagedBy` -> `managedBy`),
    fields PowerShell derives from the id are dropped, and so are envelope fields that are null (ARM
    leaves them out). `Properties` are ARM's own JSON and are kept exactly.
    """
    by_lower = _keys_by_lower(node, where, source)
    document: dict[str, Any] = {}
    for key, value in node.items():
        lower = key.lower()
        name = _ENVELOPE_BY_LOWER.get(lower) or key[:1].lower() + key[1:]
        if lower in _POWERSHELL_ONLY or (value is None and name in _ENVELOPE):
            continue
        document[name] = _lower_first_keys(value) if name in _POWERSHELL_OBJECTS and isinstance(value, Mapping) \
            else value
    given = [node[by_lower[k]] for k in ("resourceid", "id") if k in by_lower]
    if given:
        if len(given) == 2 and str(given[0]).lower() != str(given[1]).lower():
            raise InputError(source, where or None,
                             f"'ResourceId' {shown(given[0])} and 'Id' {shown(given[1])} name different resources")
        document["id"] = given[0]
        _check_id(document["id"], _field(where, "ResourceId" if "resourceid" in by_lower else "Id"), source)
    elif parent is not None:
        document["id"], document["type"] = _child_id(node, parent, where, source)
    else:
        raise InputError(source, where or None, "a document without 'ResourceId' or 'Id': cannot tell which "
                                                "resource it is")
    document["type"] = _powershell_type(node, by_lower, document)
    if "name" not in document and "resourcename" in by_lower and node[by_lower["resourcename"]] is not None:
        document["name"] = node[by_lower["resourcename"]]
    _check_type(document, where, source)
    return document


def _has_powershell_keys(node: Mapping[str, Any]) -> bool:
    """Capitalised envelope keys beside a lower-case `id` (`"id"`, `"Name"`, `"Kind"`, as PSRule's own test data
    mixes them): ARM never capitalises them, PowerShell does, so the document is read as PowerShell's."""
    return any(isinstance(k, str) and k[:1].isupper()
               and (k.lower() in _ENVELOPE_BY_LOWER or k.lower() in _POWERSHELL_ONLY or k.lower() == "properties")
               for k in node)


def _powershell_type(node: Mapping[str, Any], by_lower: Mapping[str, str], document: Mapping[str, Any]) -> Any:
    """The ARM type. PowerShell gives an extension resource (diagnostic settings of a vault) the type of
    the resource it extends and its own in `ExtensionResourceType`; the id says which is right."""
    given = [node[by_lower[k]] for k in ("extensionresourcetype", "resourcetype", "type") if k in by_lower]
    stated = next((t for t in given if isinstance(t, str) and t), document.get("type"))
    from_id = type_from_id(document["id"]) if isinstance(document.get("id"), str) else ""
    if from_id and isinstance(stated, str) and stated.lower() != from_id.lower():
        return from_id
    return stated


def _keys_by_lower(node: Mapping[str, Any], where: str, source: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for key in node:
        if not isinstance(key, str):
            continue
        lower = key.lower()
        if lower in found and node[found[lower]] != node[key]:
            raise InputError(source, where or None,
                             f"both {shown(found[lower])} and {shown(key)}, with different values: which one holds?")
        found[lower] = key
    return found


def _lower_first_keys(value: Mapping[str, Any]) -> dict[str, Any]:
    return {str(k)[:1].lower() + str(k)[1:]: v for k, v in value.items() if v is not None}


# --- ids -----------------------------------------------------------------------------------------

def _child_id(node: Mapping[str, Any], parent: dict[str, Any], where: str, source: str) -> tuple[str, str]:
    """The id and full type of a nested child that carries only a type and a name (PSRule's SQL firewall
    rules, ARM template style children): the parent's id plus the child's type segment and name."""
    by_lower = _keys_by_lower(node, where, source)
    # PowerShell sometimes gives a child its parent's `ResourceType` beside its own `Type`: the first one
    # that is a type of a child of this parent is the child's.
    types = list(dict.fromkeys(node[by_lower[k]] for k in ("resourcetype", "type")
                               if k in by_lower and isinstance(node[by_lower[k]], str) and node[by_lower[k]]))
    name = next((node[by_lower[k]] for k in ("name", "resourcename") if k in by_lower), None)
    if not types or not isinstance(name, str) or not name:
        raise InputError(source, where or None, "a nested resource without an id, and without the type and name "
                                                "its id could be derived from")
    parent_id = str(parent["id"])
    parent_type = str(parent.get("type") or type_from_id(parent_id))
    if name.startswith("/"):  # the child's full id in `name` (Azure PowerShell's storage account exports)
        return _full_id_name(name, types[0], parent_id, where, source), types[0]
    leaf = _leaf_name(name, parent_id, where, source)
    for child_type in types:
        derived = _derived_child_id(child_type, leaf, parent_id, parent_type)
        if derived is not None:
            return derived
    raise InputError(source, where or None,
                     f"cannot derive the id of a nested {shown(types[0])}: it is not a child type of "
                     f"{shown(parent_type)}")


def _derived_child_id(child_type: str, leaf: str, parent_id: str, parent_type: str) -> tuple[str, str] | None:
    if "/" not in child_type:  # a template's relative type: `firewallRules` under `Microsoft.Sql/servers`
        return f"{parent_id}/{child_type}/{leaf}", f"{parent_type}/{child_type}"
    if child_type.lower().startswith(parent_type.lower() + "/") and child_type.count("/") == parent_type.count("/") + 1:
        return f"{parent_id}/{child_type.rsplit('/', 1)[1]}/{leaf}", child_type
    if child_type.count("/") == 1 and child_type.split("/")[0].lower() != parent_type.split("/")[0].lower():
        # an extension resource of another namespace (diagnostic settings, locks, Defender settings)
        return f"{parent_id}/providers/{child_type}/{leaf}", child_type
    return None


def _full_id_name(name: str, child_type: str, parent_id: str, where: str, source: str) -> str:
    """A nested child's `name` that is its whole resource id: it must lie below the parent's id and
    name a resource of the child's type, or which resource it is stays ambiguous."""
    _check_id(name, _field(where, "name"), source)
    below = name.lower().startswith(parent_id.lower().rstrip("/") + "/")
    same_type = "/" not in child_type or type_from_id(name).lower() == child_type.lower()
    if not below or not same_type:
        raise InputError(source, where or None, one_line(
            f"nested name {shown(name)} is a resource id that is not a {shown(child_type)} below its parent "
            f"{shown(parent_id)}", 400))
    return name


def _leaf_name(name: str, parent_id: str, where: str, source: str) -> str:
    """`rule1`, or `server/rule1` when the name repeats the parent's (as ARM templates write it)."""
    if "/" not in name:
        return name
    cut = parent_id.lower().rfind("/providers/")
    parent_names = parent_id[cut:].split("/")[4::2] if cut >= 0 else []
    *prefix, leaf = name.split("/")
    if [p.lower() for p in prefix] != [p.lower() for p in parent_names] or not leaf:
        raise InputError(source, where or None, f"nested name {shown(name)} does not continue its parent's")
    return leaf


def _check_id(value: Any, where: str, source: str) -> None:
    if not isinstance(value, str) or not value.startswith("/") or len(value) < 2:
        raise InputError(source, where, f"expected an Azure resource id (/subscriptions/...), got {shown(value)}")


def _check_type(document: Mapping[str, Any], where: str, source: str) -> None:
    value = document.get("type")
    if value is not None and not isinstance(value, str):
        raise InputError(source, _field(where, "type"), f"expected a resource type string, got {_kind(value)}")


def _id_key(node: Mapping[str, Any]) -> str | None:
    return next((k for k in ("id", "ResourceId", "Id", "resourceId", "ID") if k in node), None)


# --- sorting documents into the inventory ------------------------------------------------------------

def bucket_of(document: Mapping[str, Any]) -> str | None:
    """Which inventory list a document belongs in; None when it is none of them (no id, no type)."""
    doc_id = document.get("id")
    if not isinstance(doc_id, str):
        return None
    doc_type = str(document.get("type") or type_from_id(doc_id)).lower()
    if _SUBSCRIPTION_ID.match(doc_id) or ("subscriptionId" in document and not doc_type):
        return "subscriptions"
    if _LOCATION_ID.match(doc_id):
        return "locations"
    if _RESOURCE_GROUP_ID.match(doc_id) or doc_type == "microsoft.resources/resourcegroups":
        return "resource_groups"
    if doc_type == "microsoft.authorization/locks":
        return "locks"
    return "resources" if doc_type else None


def inventory_from_documents(documents: Iterable[Mapping[str, Any]], collected_at: datetime | None = None,
                             *, source: str = "<documents>") -> Inventory:
    """Sort documents into subscriptions, locations, resource groups, locks and resources.

    A document that fits none of them is an InputError naming its index: it is never dropped silently.
    """
    inventory = Inventory(collected_at=collected_at)
    for index, doc in enumerate(documents):
        bucket = bucket_of(doc) if isinstance(doc, Mapping) else None
        if bucket is None:
            raise InputError(source, f"[{index}]", one_line(
                f"not a subscription, location, resource group, lock or resource: id {_short(doc)} has no "
                "resource type", 300))
        if bucket == "resources":
            inventory.resources.append(Resource(dict(doc)))
        else:
            getattr(inventory, bucket).append(dict(doc))
    # Some list responses repeat items (Microsoft's Factories_List example does): one id, one resource;
    # the same id with different content is refused (which one holds cannot be told).
    check_duplicates([(source, inventory)])
    inventory.resources = list({r.key: r for r in inventory.resources}.values())
    inventory.reindex()
    return inventory


# --- gaps and messages ---------------------------------------------------------------------------------

def _next_page_gap(link: str, source: str) -> ReadGap:
    """A list cut off at a next-page link: what it lists, below which scope, was only partly saved."""
    try:
        path = urlsplit(link).path if "://" in link else ""
    except ValueError:  # not a URL after all (`https://[`)
        path = ""
    scope, data = _listed_collection(one_line(path, 300))
    return ReadGap(scope, data, one_line(
        f"{source} holds one page of a longer list; the next page was not saved ({link})", 300))


def _listed_collection(path: str) -> tuple[str, str]:
    """`/subscriptions/s/providers/Microsoft.Storage/storageAccounts` -> (`/subscriptions/s`,
    `Microsoft.Storage/storageAccounts`); a child list's scope is its parent resource."""
    path = path.rstrip("/")
    if "/providers/" in path.lower():
        listed = type_from_id(f"{path}/x")
        parent = path.rsplit("/", 1)[0]
        namespace = listed.split("/", 1)[0]
        if parent.lower().endswith(f"/providers/{namespace.lower()}"):
            parent = parent[: -len(f"/providers/{namespace}")]
        return parent or "/", listed
    if path.lower().endswith("/resourcegroups"):
        return path.rsplit("/", 1)[0] or "/", "Microsoft.Resources/resourceGroups"
    return "/", f"the items listed at {path or 'a next-page link'}"


def _field(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number",
             float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _short(document: Any) -> str:
    doc_id = document.get("id") if isinstance(document, Mapping) else None
    return shown(doc_id) if isinstance(doc_id, str) else "(none)"


