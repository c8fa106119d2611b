import gzip
import json
from pathlib import Path

import pytest

from scanner.errors import InputError
from scanner.model import ReadGap
from scanner.snapshot import load_snapshot, save_snapshot
from tests.helpers import REPO, arm, inventory

SAMPLE = REPO / "fixtures" / "sample-estate"


def small_inventory():
    account = arm("Microsoft.Storage/storageAccounts", "stlake", sku={"name": "Standard_RAGZRS"},
                  properties={"isHnsEnabled": True})
    blob = arm("Microsoft.Storage/storageAccounts/blobServices", "stlake/default",
               properties={"deleteRetentionPolicy": {"enabled": True, "days": 14}})
    return inventory(account, blob, gaps=[ReadGap("/subscriptions/s2", "*", "403 Forbidden", 403)],
                     locations=[{"name": "westeurope", "metadata": {"pairedRegion": [{"name": "northeurope"}]}}])


@pytest.mark.parametrize("name", ["estate.json", "estate.json.gz"])
def test_round_trip_keeps_every_document(tmp_path: Path, name: str):
    original = small_inventory()
    path = tmp_path / name
    save_snapshot(original, path)
    if name.endswith(".gz"):
        assert path.read_bytes()[:2] == b"\x1f\x8b"
    loaded = load_snapshot(path)
    assert [r.raw for r in loaded.resources] == [r.raw for r in original.resources]
    assert loaded.gaps == original.gaps
    assert loaded.collected_at == original.collected_at
    assert loaded.locations == original.locations
    parent = loaded.resources[0]
    assert loaded.children(parent, "microsoft.storage/storageaccounts/BLOBSERVICES")[0].name == "default"


def test_directory_snapshot_merges_files():
    estate = load_snapshot(SAMPLE)
    assert len(estate.subscription_ids) == 4
    assert estate.regions.source == "live"


def write(tmp_path: Path, document, name="snap.json") -> Path:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


VALID = {"kind": "bcdr-scan/snapshot", "version": 1, "collected_at": "2026-11-20T06:00:00Z", "resources": []}


@pytest.mark.parametrize(("document", "field", "words"), [
    ({**VALID, "version": 7}, "version", "unsupported snapshot version 7"),
    ({**VALID, "kind": "something"}, "kind", "is this a bcdr-scan snapshot"),
    ({"properties": {}}, "kind", "or ARM / Resource Graph JSON"),
    ([{"id": "/subscriptions/s/resourceGroups/g/providers/A.B/c/d"}, "text"], None, "or ARM / Resource Graph"),
    ({**VALID, "resources": [{"name": "x"}]}, "resources[0]", "'id' is a required property"),
    ({**VALID, "resources": [{"id": "not-an-id", "type": "a/b"}]}, "resources[0].id", "does not match"),
    ({**VALID, "collected_at": "yesterday"}, "collected_at", "ISO 8601"),
    ({**VALID, "gaps": [{"scope": "/subscriptions/x"}]}, "gaps[0]", "required property"),
    ("[]", None, "expected a bcdr-scan snapshot"),
    ('{"kind": "bcdr-scan/snapshot", "version": 1, "resour', "line 1", "not valid JSON"),
])
def test_bad_snapshots_name_file_and_field(tmp_path: Path, document, field, words):
    path = write(tmp_path, document)
    with pytest.raises(InputError) as caught:
        load_snapshot(path)
    assert caught.value.source == str(path)
    assert caught.value.field == field
    assert words in caught.value.message


def test_truncated_gzip_is_an_input_error(tmp_path: Path):
    path = tmp_path / "snap.json.gz"
    path.write_bytes(gzip.compress(json.dumps(VALID).encode())[:20])
    with pytest.raises(InputError, match="cannot read snapshot"):
        load_snapshot(path)


def test_missing_file_and_empty_directory(tmp_path: Path):
    with pytest.raises(InputError, match="cannot read snapshot"):
        load_snapshot(tmp_path / "nope.json")
    with pytest.raises(InputError, match=r"no \*\.json"):
        load_snapshot(tmp_path)


def test_sections_left_out_are_gaps_not_empty_lists(tmp_path: Path):
    account = arm("Microsoft.Storage/storageAccounts", "stlake")
    path = write(tmp_path, {**VALID, "resources": [account]})
    loaded = load_snapshot(path)
    assert loaded.gap(account["id"], "Microsoft.Authorization/locks") is not None
    assert loaded.gap(account["id"], "Microsoft.Resources/resourceGroups") is not None
    assert loaded.gap(account["id"], "Microsoft.Storage/storageAccounts/blobServices") is None
    explicit = write(tmp_path, {**VALID, "resources": [account], "locks": [], "resource_groups": []}, "b.json")
    assert load_snapshot(explicit).gaps == []


def test_a_directory_needs_each_section_in_one_file_only(tmp_path: Path):
    write(tmp_path, {**VALID, "locks": []}, "a.json")
    write(tmp_path, {**VALID, "resource_groups": []}, "b.json")
    assert load_snapshot(tmp_path).gaps == []


def test_plain_arm_and_resource_graph_json_load_too(tmp_path: Path):
    account = arm("Microsoft.Storage/storageAccounts", "stlake", sku={"name": "Standard_LRS"}, kind="StorageV2")
    vault = arm("Microsoft.KeyVault/vaults", "kv-lake")
    write(tmp_path, {"value": [account], "nextLink": None}, "storage.json")  # an ARM list response
    write(tmp_path, {"totalRecords": 1, "count": 1, "data": [vault]}, "graph.json")  # az graph query output
    write(tmp_path, arm("Microsoft.DocumentDB/databaseAccounts", "cosmos-x", kind="GlobalDocumentDB"), "one.json")
    loaded = load_snapshot(tmp_path)
    assert sorted(r.name for r in loaded.resources) == ["cosmos-x", "kv-lake", "stlake"]
    # Plain ARM JSON cannot say "there are no locks": that stays unread.
    assert loaded.gap(account["id"], "Microsoft.Authorization/locks") is not None


def test_microsofts_rest_examples_load_as_they_are():
    from tests.helpers import EXAMPLES

    loaded = load_snapshot(EXAMPLES / "storage" / "StorageAccountList.json")
    assert loaded.resources and all(r.type_key == "microsoft.storage/storageaccounts" for r in loaded.resources)
