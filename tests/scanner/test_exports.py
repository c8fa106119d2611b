"""Inputs users already have: Azure PowerShell / PSRule exports, ARM documents with nested children,
list and Resource Graph files, Azure CLI output. Each is read as what it is, or refused in one line;
no document is dropped silently."""

import copy
import json
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from scanner.check import Status
from scanner.engine import evaluate
from scanner.errors import InputError
from scanner.ingest import inventory_from_documents, read_documents
from scanner.model import parent_id_of
from scanner.policy import load_policy, parse_policy
from scanner.registry import discover
from scanner.snapshot import load_snapshot
from tests.helpers import REPO, SCAN_TIME, SUB, TEST_DATA, arm, arm_id

EXPORTS = TEST_DATA / "exports"
SAMPLE = REPO / "fixtures" / "sample-estate"
SAMPLE_POLICY = REPO / "fixtures" / "policies" / "sample-policy.yaml"
CHECKS = discover(include_plugins=False)
STORAGE = "/subscriptions/6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e02/resourceGroups/rg-sales-ingest/providers/" \
          "Microsoft.Storage/storageAccounts/stsalesrawweu"
SQL_SERVER = "/subscriptions/6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e02/resourceGroups/rg-sales-ingest/providers/" \
             "Microsoft.Sql/servers/sql-sales-ingest-weu"


def verdicts(inventory, policy=None) -> dict[tuple[str, str], Any]:
    policy = policy or load_policy(SAMPLE_POLICY)
    scan = evaluate(inventory, policy, CHECKS, SCAN_TIME)
    return {(o.check.id, o.resource.key): o for o in scan.outcomes}


# --- Azure PowerShell / PSRule's Export-AzRuleData ----------------------------------------------------

def test_a_psrule_export_is_read_with_its_nested_children():
    estate = load_snapshot(EXPORTS / "psrule-export.json")
    original = json.loads((EXPORTS / "psrule-export.json").read_text("utf-8"))
    account = estate.get(STORAGE)
    assert account is not None and account.type == "Microsoft.Storage/storageAccounts"
    assert account.sku == {"name": "Standard_RAGZRS", "tier": "Standard"}  # Sku.Name ..., nulls left out
    assert account.raw["properties"] == original[1]["Properties"]  # ARM's own JSON, kept exactly
    assert not {"ResourceId", "ResourceName", "ResourceGroupName", "TagsTable", "resources", "Properties"} \
        & set(account.raw)
    # The nested blob service and container are documents of their own, related through their ids.
    assert [c.name for c in estate.children(account, "Microsoft.Storage/storageAccounts/blobServices")] == ["default"]
    assert len(list(estate.of_type("Microsoft.Storage/storageAccounts/blobServices/containers"))) == 1
    # A nested firewall rule with only a name and a type gets the id ARM gives it; the nested database
    # (ResourceId only, the older API's fields) is a database of the server.
    rules = estate.children(SQL_SERVER, "Microsoft.Sql/servers/firewallRules")
    assert [r.id for r in rules] == [f"{SQL_SERVER}/firewallRules/AllowAllWindowsAzureIps"]
    assert [d.name for d in estate.children(SQL_SERVER, "Microsoft.Sql/servers/databases")] == ["sqldb-sales-staging"]
    # PowerShell types a vault's diagnostic setting as a vault (ExtensionResourceType says otherwise): it is
    # a diagnostic setting, and no Key Vault check judges it.
    [setting] = [r for r in estate.resources if r.name == "send-to-law"]
    assert setting.type == "microsoft.insights/diagnosticSettings"
    assert [v.name for v in estate.of_type("Microsoft.KeyVault/vaults")] == ["kv-sales-serving-weu"]
    # The lock nested under its resource group is a lock, and the resource group a resource group.
    assert [lock["name"] for lock in estate.locks] == ["nodelete-sales-ingest"]
    assert [g["name"] for g in estate.resource_groups] == ["rg-sales-ingest"]
    assert estate.source["format"] == "arm+azure-powershell"


def test_a_psrule_export_is_judged_not_reported_unread():
    found = verdicts(load_snapshot(EXPORTS / "psrule-export.json"))
    # Blob-service checks read the nested blobServices/default instead of saying "not read".
    soft_delete = found[("STG-005", STORAGE.lower())]
    assert soft_delete.status in (Status.PASS, Status.FAIL)
    lrs_blob = next(o for (check, key), o in found.items() if check == "STG-005" and key.endswith("stresearchsbxgwc"))
    assert lrs_blob.status == Status.FAIL  # the sandbox keeps no deleted blobs
    # Cosmos DB without backupPolicy: Azure's documented default, and the evidence says it was assumed.
    cosmos = next(o for (check, key), o in found.items() if check == "COS-005" and key.endswith("cosmos-sales-serving"))
    assert cosmos.status == Status.PASS and "assumed_default" in cosmos.result.evidence
    # SQL-004 names the older API's edition and service objective.
    database = next(o for (check, key), o in found.items()
                    if check == "SQL-004" and key.endswith("sqldb-sales-staging"))
    assert database.status == Status.FAIL
    assert database.result.evidence["edition"] == "Standard"
    assert database.result.evidence["requestedServiceObjectiveName"] == "S3"


def to_powershell(document: dict[str, Any], children: list[dict[str, Any]], with_id: bool = True) -> dict[str, Any]:
    """An ARM document in the layout Azure PowerShell's objects give it (as PSRule's Export-AzRuleData writes it)."""
    out: dict[str, Any] = {}
    if with_id:
        out["ResourceId"] = out["Id"] = document["id"]
    for key, value in document.items():
        if key in ("id", "type", "sku"):
            continue
        out[key[:1].upper() + key[1:]] = value
    out["ResourceName"] = document.get("name") or document["id"].rsplit("/", 1)[1]
    out["Type"] = out["ResourceType"] = document.get("type") or None
    out["ResourceGroupName"] = document["id"].split("/")[4] if "/resourceGroups/" in document["id"] else None
    out["Sku"] = {k[:1].upper() + k[1:]: v for k, v in document["sku"].items()} if "sku" in document else None
    out["Tags"], out["Plan"], out["ExtensionResourceType"] = document.get("tags"), None, None
    if children:
        out["resources"] = children
    return out


def nest_as_powershell(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Children under their parents, top-level resources at the top; every other nested child loses its id
    (PSRule writes firewall rules that way), so that the id must be derived from the parent's."""
    by_id = {r["id"].lower(): r for r in resources}
    children: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for resource in resources:
        parent = parent_id_of(resource["id"])
        if parent and parent.lower() in by_id and resource.get("type"):
            children[parent.lower()].append(resource)

    def convert(resource: dict[str, Any], nested: bool, index: int) -> dict[str, Any]:
        kids = [convert(child, True, i) for i, child in enumerate(children.get(resource["id"].lower(), []))]
        return to_powershell(resource, kids, with_id=not (nested and index % 2))

    nested_ids = {c["id"].lower() for kids in children.values() for c in kids}
    return [convert(r, False, 0) for r in resources if r["id"].lower() not in nested_ids]


def test_the_sample_estate_exported_the_powershell_way_gets_the_same_verdicts(tmp_path: Path):
    resources, envelope = [], None
    for path in sorted(SAMPLE.glob("*.json")):
        document = json.loads(path.read_text("utf-8"))
        resources += document.pop("resources")
        if envelope is None:
            envelope = document
        else:
            envelope["locks"] = envelope.get("locks", []) + document.get("locks", [])
            envelope["gaps"] = envelope.get("gaps", []) + document.get("gaps", [])
    (tmp_path / "00-estate.json").write_text(json.dumps({**envelope, "resources": []}))
    exported = nest_as_powershell(copy.deepcopy(resources))
    assert len(exported) < len(resources)  # children really are nested
    (tmp_path / "export.json").write_text(json.dumps(exported))
    expected = {key: (o.status, o.result.message) for key, o in verdicts(load_snapshot(SAMPLE)).items()}
    judged = verdicts(load_snapshot(tmp_path))
    found = {key: (o.status, o.result.message) for key, o in judged.items()}
    assert found.keys() == expected.keys()
    # The sample's Recovery Services vaults have no backup policies: in the snapshot, the collector read
    # an empty list; an export holding none cannot say so, and the verdicts that need them are unknown.
    differing = {key for key in expected if found[key] != expected[key]}
    assert {check for check, _ in differing} == {"BAK-002", "BAK-003"}
    for key in differing:
        assert judged[key].status == Status.UNKNOWN
        assert "not in the export" in judged[key].result.gap.error
        assert judged[key].result.gap.data == "Microsoft.RecoveryServices/vaults/backupPolicies"


# --- ARM and Resource Graph shapes --------------------------------------------------------------------

def test_value_lists_read_documents_without_a_lower_case_id(tmp_path: Path):
    # The vanished account: a Standard_LRS document with `Id` only was dropped, exit 0.
    lrs = to_powershell(arm("Microsoft.Storage/storageAccounts", "stlrs", sku={"name": "Standard_LRS"},
                            properties={"isHnsEnabled": False}), [])
    del lrs["ResourceId"]
    path = tmp_path / "list.json"
    path.write_text(json.dumps({"value": [arm("Microsoft.KeyVault/vaults", "kv1"), lrs]}))
    loaded = load_snapshot(path)
    assert sorted(r.name for r in loaded.resources) == ["kv1", "stlrs"]
    assert loaded.get(lrs["Id"]).sku == {"name": "Standard_LRS"}


def test_an_item_that_cannot_be_read_is_an_error_naming_file_and_index(tmp_path: Path):
    path = tmp_path / "list.json"
    path.write_text(json.dumps({"value": [arm("Microsoft.KeyVault/vaults", "kv1"), {"properties": {"a": 1}}]}))
    with pytest.raises(InputError) as caught:
        load_snapshot(path)
    assert (caught.value.source, caught.value.field) == (str(path), "value[1]")
    assert "without an 'id'" in caught.value.message


def test_summary_rows_are_a_counted_gap_not_a_silent_drop(tmp_path: Path):
    rows = {"totalRecords": 3, "data": [arm("Microsoft.KeyVault/vaults", "kv1"),
                                        {"type": "microsoft.storage/storageaccounts", "count_": 12},
                                        {"type": "microsoft.sql/servers", "count_": 2}]}
    path = tmp_path / "graph.json"
    path.write_text(json.dumps(rows))
    loaded = load_snapshot(path)
    assert [r.name for r in loaded.resources] == ["kv1"]
    gap = next(g for g in loaded.gaps if g.data == "rows without a resource id")
    assert "2 row(s)" in gap.error and "data[1]" in gap.error and str(path) in gap.error


def test_locks_locations_and_subscriptions_without_an_id_are_an_error_or_a_counted_gap(tmp_path: Path):
    lock = {"name": "nodelete", "type": "Microsoft.Authorization/locks", "properties": {"level": "CanNotDelete"}}
    path = tmp_path / "locks.json"
    path.write_text(json.dumps({"value": [lock]}))
    with pytest.raises(InputError, match="without an 'id'") as caught:
        load_snapshot(path)
    assert caught.value.field == "value[0]"
    path.write_text(json.dumps([arm("Microsoft.KeyVault/vaults", "kv1"), {"name": "westeurope", "displayName": "x"},
                                {"subscriptionId": "0000", "displayName": "prod", "state": "Enabled"}]))
    loaded = load_snapshot(path)
    assert loaded.locations == [] and loaded.subscriptions == []
    gap = next(g for g in loaded.gaps if g.data == "rows without a resource id")
    assert "2 row(s)" in gap.error and "(first: [1])" in gap.error


def test_a_list_cut_at_a_next_page_link_is_a_gap_for_what_it_lists(tmp_path: Path):
    sub = "/subscriptions/00000000-0000-0000-0000-0000000000a1"
    page = {"value": [arm("Microsoft.Storage/storageAccounts", "st1")],
            "nextLink": f"https://management.azure.com{sub}/providers/Microsoft.Storage/storageAccounts"
                        "?api-version=2023-05-01&$skiptoken=abc"}
    path = tmp_path / "page.json"
    path.write_text(json.dumps(page))
    gap = next(g for g in load_snapshot(path).gaps if "next page" in g.error)
    assert (gap.scope, gap.data) == (sub, "Microsoft.Storage/storageAccounts")
    assert gap.covers(f"{sub}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st2",
                      "Microsoft.Storage/storageAccounts")


def test_one_arm_document_with_nested_resources_is_not_taken_for_a_snapshot(tmp_path: Path):
    account = arm("Microsoft.Storage/storageAccounts", "stlake", kind="StorageV2", sku={"name": "Standard_GRS"})
    # ARM template style children: a relative type, and a name that repeats the parent's.
    account["resources"] = [{"type": "blobServices", "name": "stlake/default",
                             "properties": {"deleteRetentionPolicy": {"enabled": True, "days": 14}}},
                            {"type": "Microsoft.Storage/storageAccounts/objectReplicationPolicies", "name": "orp1",
                             "properties": {}}]
    path = tmp_path / "account.json"
    path.write_text(json.dumps(account))
    loaded = load_snapshot(path)
    assert sorted(r.id.removeprefix(account["id"]) for r in loaded.resources) == \
        ["", "/blobServices/default", "/objectReplicationPolicies/orp1"]
    assert loaded.get(account["id"] + "/blobServices/default").type == "Microsoft.Storage/storageAccounts/blobServices"
    assert "resources" not in loaded.get(account["id"]).raw


def test_a_nested_child_named_by_its_full_id_is_read_with_that_id(tmp_path: Path):
    # Azure PowerShell writes a storage account's blob service with its resource id as `name` and no `id`.
    account = arm("Microsoft.Storage/storageAccounts", "stlake", kind="StorageV2", sku={"name": "Standard_GRS"},
                  properties={"isHnsEnabled": False})
    service_id = account["id"] + "/blobServices/default"
    account["resources"] = [{"type": "Microsoft.Storage/storageAccounts/blobServices", "apiVersion": "2021-04-01",
                             "name": service_id,
                             "properties": {"deleteRetentionPolicy": {"enabled": True, "days": 14}}}]
    path = tmp_path / "account.json"
    path.write_text(json.dumps([account]))
    loaded = load_snapshot(path)
    service = loaded.get(service_id)
    assert service is not None and service.type == "Microsoft.Storage/storageAccounts/blobServices"
    assert verdicts(loaded)[("STG-005", account["id"].lower())].status == Status.PASS


@pytest.mark.parametrize("name", [
    arm_id("Microsoft.Storage/storageAccounts/blobServices", "other/default"),  # below another account
    arm_id("Microsoft.Storage/storageAccounts/fileServices", "stlake/default"),  # a child of another type
])
def test_a_nested_full_id_name_that_is_not_the_childs_is_refused(name: str):
    account = arm("Microsoft.Storage/storageAccounts", "stlake")
    account["resources"] = [{"type": "Microsoft.Storage/storageAccounts/blobServices", "name": name}]
    with pytest.raises(InputError) as caught:
        read_documents([account], "export.json")
    assert "not a 'Microsoft.Storage/storageAccounts/blobServices' below its parent" in caught.value.message


def test_a_lower_case_id_beside_capitalised_powershell_keys_is_read_as_powershell():
    # PSRule's own test data mixes the two: `id`, `location` and `sku`, but `Name`, `Type` and `Kind`.
    account = {"id": arm_id("Microsoft.Storage/storageAccounts", "stfiles"), "Name": "stfiles",
               "ResourceName": "stfiles", "SubscriptionId": SUB, "Type": "Microsoft.Storage/storageAccounts",
               "Kind": "FileStorage", "location": "westeurope", "sku": {"name": "Premium_LRS"},
               "properties": {"largeFileSharesState": "Enabled"}}
    [document] = read_documents([account], "export.json").documents
    assert {k: document[k] for k in ("name", "type", "kind")} == {
        "name": "stfiles", "type": "Microsoft.Storage/storageAccounts", "kind": "FileStorage"}
    assert not {"Name", "Type", "Kind", "ResourceName"} & set(document)
    # A FileStorage account has no blob service: the blob checks do not apply, nothing is "not read".
    found = verdicts(inventory_from_documents([document], SCAN_TIME))
    assert found[("STG-005", account["id"].lower())].status == Status.NOT_APPLICABLE


def test_a_nested_child_typed_as_its_parent_takes_the_type_that_is_a_child_type():
    # PowerShell gives a server's Entra-only setting `ResourceType` Microsoft.Sql/servers beside its own `Type`.
    server = to_powershell(arm("Microsoft.Sql/servers", "sql1"), [])
    server["resources"] = [{"Name": "Default", "ResourceName": "Default", "ResourceType": "Microsoft.Sql/servers",
                            "Type": "Microsoft.Sql/servers/azureADOnlyAuthentications",
                            "Properties": {"azureADOnlyAuthentication": True}}]
    documents = read_documents([server], "export.json").documents
    assert [(d["id"], d["type"]) for d in documents[1:]] == [
        (server["Id"] + "/azureADOnlyAuthentications/Default", "Microsoft.Sql/servers/azureADOnlyAuthentications")]


@pytest.mark.parametrize(("body", "field", "words"), [
    ([{"ResourceId": "/subscriptions/s/providers/A.B/c/d", "Id": "/subscriptions/s/providers/A.B/c/e"}], "[0]",
     "name different resources"),
    ([{"id": "/subscriptions/s/providers/A.B/c/d", "resources": {"id": "x"}}], "[0].resources",
     "expected a list of nested resources"),
    ([{"id": "/subscriptions/s/providers/A.B/c/d", "resources": [{"Properties": {}}]}], "[0].resources[0]",
     "without the type and name"),
    ([{"id": "/subscriptions/s/providers/A.B/c/d", "type": "A.B/c",
       "resources": [{"type": "A.B/x/y", "name": "n"}]}], "[0].resources[0]", "not a child type of"),
    ([{"id": "/subscriptions/s/providers/A.B/c/d", "resources": [{"type": "e", "name": "other/n"}]}],
     "[0].resources[0]", "does not continue its parent's"),
    ([{"id": "not-an-id"}], "[0].id", "expected an Azure resource id"),
    ([{"id": "/subscriptions/s/providers/A.B/c/d", "type": ["A.B/c"]}], "[0].type", "expected a resource type"),
    ([{"Name": "x", "Properties": {}, "Location": "westeurope", "Id": None}], "[0].Id",
     "expected an Azure resource id"),
    ({"data": {"columns": [{"name": "id"}], "rows": ["x"]}}, "data.rows[0]", "expected a row"),
])
def test_malformed_export_items_are_named(body, field, words):
    with pytest.raises(InputError) as caught:
        read_documents(body, "export.json")
    assert (caught.value.source, caught.value.field) == ("export.json", field)
    assert words in caught.value.message


def test_documents_that_fit_no_inventory_list_are_errors_not_dropped():
    with pytest.raises(InputError, match="has no resource type") as caught:
        inventory_from_documents([{"id": "/subscriptions/s/resourceGroups/g"}, {"id": "/tenants/t"}], SCAN_TIME)
    assert caught.value.field == "[1]"


# --- Azure CLI output ---------------------------------------------------------------------------------

def test_az_cosmosdb_show_is_folded_back_into_arm_and_judged():
    flattened = json.loads((EXPORTS / "az-cosmosdb-show.json").read_text("utf-8"))
    loaded = load_snapshot(EXPORTS / "az-cosmosdb-show.json")
    account = loaded.resources[0]
    assert loaded.source["format"] == "azure-cli"
    assert account.prop("backupPolicy") == flattened["backupPolicy"]
    assert account.prop("locations") == flattened["locations"]
    assert "resourceGroup" not in account.raw and "resourceGroup" not in account.properties
    assert set(account.raw) <= {"id", "name", "type", "location", "kind", "tags", "identity", "systemData",
                                "properties"}
    found = verdicts(loaded, parse_policy({"default_zone": {"name": "z", "strategy": "hot-spare",
                                                            "rpo": "15m", "rto": "1h"}}, "t"))
    statuses = {check: o.status for (check, _), o in found.items() if check.startswith("COS")}
    # Two zone-redundant regions with multi-region writes (no failover needed), continuous backup: none unread.
    assert statuses == {"COS-001": Status.PASS, "COS-002": Status.NOT_APPLICABLE, "COS-003": Status.PASS,
                        "COS-004": Status.PASS, "COS-005": Status.NOT_APPLICABLE, "COS-006": Status.NOT_APPLICABLE}


def test_az_storage_account_list_is_folded_back_into_arm():
    loaded = load_snapshot(EXPORTS / "az-storage-account-list.json")
    account = loaded.resources[0]
    assert account.prop("geoReplicationStats", "status") == "Live"
    assert account.prop("isHnsEnabled") is True
    lag = verdicts(loaded)[("STG-004", account.key)]
    assert lag.status in (Status.PASS, Status.FAIL) and "lag" in lag.result.evidence


def test_flattened_cli_output_of_other_types_is_refused_with_a_hint(tmp_path: Path):
    with pytest.raises(InputError) as caught:
        load_snapshot(EXPORTS / "az-sql-db-show.json")
    assert caught.value.source == str(EXPORTS / "az-sql-db-show.json")
    assert "Azure CLI output with properties flattened" in caught.value.message
    assert "az resource show --ids" in caught.value.message
    # Generic listings have no properties, but nothing flattened either: read as they are.
    listing = [{"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Sql/servers/a", "name": "a",
                "type": "Microsoft.Sql/servers", "location": "westeurope", "resourceGroup": "g", "tags": {}}]
    path = tmp_path / "list.json"
    path.write_text(json.dumps(listing))
    assert [r.name for r in load_snapshot(path).resources] == ["a"]


def test_az_account_list_is_read_as_subscriptions(tmp_path: Path):
    shutil.copy(EXPORTS / "az-account-list.json", tmp_path / "accounts.json")
    shutil.copy(EXPORTS / "az-storage-account-list.json", tmp_path / "storage.json")
    loaded = load_snapshot(tmp_path)
    assert loaded.subscriptions == [{"id": "/subscriptions/6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e02",
                                     "subscriptionId": "6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e02",
                                     "displayName": "sub-sales-prod", "state": "Enabled",
                                     "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47"}]


def test_an_empty_list_is_an_empty_listing_not_an_error(tmp_path: Path):
    # `az resource list` in a subscription without resources prints [].
    path = tmp_path / "empty.json"
    path.write_text("[]")
    loaded = load_snapshot(path)
    assert loaded.resources == []
    assert {g.data for g in loaded.gaps} == {"Microsoft.Authorization/locks", "Microsoft.Resources/resourceGroups"}
