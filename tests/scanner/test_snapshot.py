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
    ([{"id": "/subscriptions/s/resourceGroups/g/providers/A.B/c/d"}, "text"], "[1]", "expected an ARM document"),
    ({**VALID, "resources": [{"name": "x"}]}, "resources[0]", "'id' is a required property"),
    ({**VALID, "resources": [{"id": "not-an-id", "type": "a/b"}]}, "resources[0].id", "does not match"),
    ({**VALID, "resources": [{"id": "/subscriptions/s/providers/A.B/c/d", "type": 5}]}, "resources[0].type",
     "is not of type 'string'"),
    ({**VALID, "resources": {"id": "/subscriptions/s"}}, "resources", "is not of type 'array'"),
    ({**VALID, "collected_at": "yesterday"}, "collected_at", "ISO 8601"),
    ({**VALID, "collected_at": "0001-01-01T00:00:00+01:00"}, "collected_at", "ISO 8601"),
    ({**VALID, "gaps": [{"scope": "/subscriptions/x"}]}, "gaps[0]", "required property"),
    # Locks, locations and subscriptions without their key are an error, never dropped.
    ({**VALID, "locks": [{"name": "nodelete", "properties": {"level": "CanNotDelete"}}]}, "locks[0]",
     "'id' is a required property"),
    ({**VALID, "locations": [{"displayName": "West Europe"}]}, "locations[0]", "'name' is a required property"),
    ({**VALID, "subscriptions": [{"displayName": "prod"}]}, "subscriptions[0]", "'subscriptionId' is a required"),
    ("null", None, "expected a bcdr-scan snapshot"),
    ({"resources": [], "collected_at": "2026-11-20T06:00:00Z"}, "kind", "got None; is this a bcdr-scan snapshot"),
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


# --- bounds: size, file type, depth ------------------------------------------------------------------

MiB = 1 << 20


def snapshot_bytes(resources=()) -> bytes:
    return json.dumps({**VALID, "resources": list(resources), "locks": [], "resource_groups": []}).encode()


def test_a_gzip_bomb_stops_at_the_size_limit_without_holding_what_it_expands_to(tmp_path: Path):
    import tracemalloc

    bomb = tmp_path / "bomb.json.gz"
    bomb.write_bytes(gzip.compress(b"[" + b" " * (64 * MiB) + b"]", mtime=0))  # 64 MiB from ~64 KiB
    assert bomb.stat().st_size < MiB
    tracemalloc.start()
    try:
        with pytest.raises(InputError) as caught:
            load_snapshot(bomb, max_bytes=MiB)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert caught.value.source == str(bomb)
    assert "more than 1 MiB of JSON (after decompression)" in caught.value.message
    assert "BCDR_SCAN_MAX_SNAPSHOT_BYTES" in caught.value.message
    assert peak < 8 * MiB, peak  # the limit plus a chunk, not the 64 MiB it expands to


def test_a_gzip_bomb_within_the_size_limit_is_refused_by_its_ratio_early(tmp_path: Path):
    import tracemalloc

    bomb = tmp_path / "bomb.json.gz"
    bomb.write_bytes(gzip.compress(b"[" + b" " * (96 * MiB) + b"]", mtime=0))  # 1000-fold; 1 GiB limit
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match="expands more than 500-fold: a decompression bomb"):
            load_snapshot(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 80 * MiB, peak  # stopped at 64 MiB, not at the 1 GiB limit


def test_running_out_of_memory_while_reading_is_an_input_error():
    from scanner.snapshot import _Budget, _read_bounded

    def read(size: int) -> bytes:
        raise MemoryError

    with pytest.raises(InputError, match="not enough memory"):
        _read_bounded(read, _Budget(MiB), "estate.json")


def test_the_size_limit_comes_from_the_environment_and_counts_a_whole_directory(tmp_path: Path, monkeypatch):
    account = arm("Microsoft.Storage/storageAccounts", "stlake", properties={"notes": "x" * 600_000})
    (tmp_path / "a.json").write_bytes(snapshot_bytes([account]))
    (tmp_path / "b.json").write_bytes(snapshot_bytes([account]))  # an overlap that agrees
    assert len(load_snapshot(tmp_path).resources) == 1  # 1 GiB by default
    monkeypatch.setenv("BCDR_SCAN_MAX_SNAPSHOT_BYTES", "1M")
    with pytest.raises(InputError, match="more than 1 MiB") as caught:
        load_snapshot(tmp_path)
    assert caught.value.source == str(tmp_path / "b.json")  # each file fits; together they do not
    monkeypatch.setenv("BCDR_SCAN_MAX_SNAPSHOT_BYTES", "2MiB")
    assert len(load_snapshot(tmp_path).resources) == 1
    monkeypatch.setenv("BCDR_SCAN_MAX_SNAPSHOT_BYTES", "lots")
    with pytest.raises(InputError) as caught:
        load_snapshot(tmp_path)
    assert caught.value.source == "BCDR_SCAN_MAX_SNAPSHOT_BYTES" and "2G" in caught.value.message


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_symlink_to_a_device_is_refused_not_read(tmp_path: Path):
    link = tmp_path / "estate.json"
    link.symlink_to("/dev/zero")
    with pytest.raises(InputError, match="the path is a device, not a regular file"):
        load_snapshot(link)
    (tmp_path / "real.json").write_bytes(snapshot_bytes())
    link.unlink()
    link.symlink_to(tmp_path / "real.json")  # a symlink to a regular file is fine
    assert load_snapshot(link).resources == []


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_blocking_on_it(tmp_path: Path):
    import os

    os.mkfifo(tmp_path / "estate.json")  # nobody writes to it: opening it for reading would wait forever
    with pytest.raises(InputError, match="a FIFO") as caught:
        load_snapshot(tmp_path)  # also when it sits in a snapshot directory
    assert caught.value.source == str(tmp_path / "estate.json")


def test_a_directory_named_like_a_snapshot_file_is_refused(tmp_path: Path):
    (tmp_path / "estate.json").mkdir()
    with pytest.raises(InputError, match="a directory, not a regular file"):
        load_snapshot(tmp_path)


def deeply_nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_nesting_beyond_the_limit_names_where_it_is(tmp_path: Path):
    account = arm("Microsoft.Storage/storageAccounts", "stlake", properties={"deep": json.loads(deeply_nested(62))})
    path = write(tmp_path, json.dumps({**VALID, "resources": [account]}))
    with pytest.raises(InputError) as caught:
        load_snapshot(path)
    assert caught.value.field.startswith("resources[0].properties.deep[0]")
    assert "nested deeper than 64 levels" in caught.value.message
    within = arm("Microsoft.Storage/storageAccounts", "stlake", properties={"deep": json.loads(deeply_nested(50))})
    assert len(load_snapshot(write(tmp_path, {**VALID, "resources": [within]}, "ok.json")).resources) == 1


def test_nesting_too_deep_for_the_parser_is_an_input_error_not_a_recursion_error(tmp_path: Path):
    path = write(tmp_path, deeply_nested(200_000))
    with pytest.raises(InputError, match="nested deeper than 64 levels"):
        load_snapshot(path)


@pytest.mark.parametrize(("name", "content", "field", "words"), [
    ("empty.json", b"", None, "the file is empty (0 bytes)"),
    ("empty.json.gz", b"", None, "the file is empty (0 bytes)"),
    ("nothing.json.gz", gzip.compress(b"", mtime=0), None, "decompresses to nothing (0 bytes)"),
    ("blank.json", b"  \n\t\n", None, "only whitespace"),
    ("latin1.json", b'{"kind": "bcdr-scan/snapshot",\n "source": {"owner": "Ren\xe9e"}}', "line 2",
     "not UTF-8 text: byte 0xe9 at offset 56"),
    ("truncated.json.gz", gzip.compress(snapshot_bytes(), mtime=0)[:-12], None, "gzip data is truncated"),
    ("corrupt.json.gz", gzip.compress(snapshot_bytes(), mtime=0)[:10] + b"\xff" * 40, None, "corrupt gzip data"),
    ("digits.json", b'{"value": [{"id": "/subscriptions/s", "n": ' + b"9" * 5000 + b"}]}", None,
     "a number has more than 4,300 digits"),
])
def test_unreadable_bytes_get_one_accurate_line(tmp_path: Path, name, content, field, words):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        load_snapshot(path)
    assert caught.value.source == str(path)
    assert caught.value.field == field
    assert words in caught.value.message
    assert "not valid JSON" not in caught.value.message


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-32"])
def test_byte_order_marks_and_utf16_as_windows_powershell_writes_them_are_read(tmp_path: Path, encoding):
    account = arm("Microsoft.Storage/storageAccounts", "stlake", tags={"owner": "Renée"})
    path = tmp_path / "estate.json"
    path.write_bytes(json.dumps({**VALID, "resources": [account]}, ensure_ascii=False).encode(encoding))
    assert load_snapshot(path).resources[0].tags == {"owner": "Renée"}


def test_loading_a_directory_indexes_once_not_once_per_file(tmp_path: Path, mocker):
    # Merging file by file re-indexed the whole inventory each time: quadratic in the files.
    for n in range(40):
        write(tmp_path, {**VALID, "resources": [arm("Microsoft.KeyVault/vaults", f"kv{n}")]}, f"{n:02d}.json")
    from scanner.model import Inventory

    spy = mocker.spy(Inventory, "reindex")
    loaded = load_snapshot(tmp_path)
    assert len(loaded.resources) == 40
    assert spy.call_count <= 40 + 2  # one per part as it is built, one for the merged whole


def test_a_schema_keyword_the_fast_check_does_not_know_hands_resources_back_to_jsonschema(monkeypatch):
    import copy

    import jsonschema

    from scanner import snapshot

    schema = copy.deepcopy(snapshot._schema())
    schema["$defs"]["armResource"]["properties"]["name"]["minLength"] = 1
    monkeypatch.setattr(snapshot, "_schema", lambda: schema)
    monkeypatch.setattr(snapshot, "_validator", lambda: jsonschema.Draft202012Validator(schema))
    monkeypatch.setattr(snapshot, "_resource_checker", snapshot._resource_checker.__wrapped__)
    assert snapshot._resource_checker() is None
    with pytest.raises(InputError) as caught:
        snapshot.parse_snapshot({**VALID, "resources": [{"id": "/subscriptions/s/providers/A.B/c/d", "name": ""}]}, "x")
    assert caught.value.field == "resources[0].name"


def test_error_lines_escape_what_the_file_controls(tmp_path: Path, capsys):
    from scanner.cli import main

    evil = tmp_path / "estate\x1b[2J.json"
    deep = json.loads(deeply_nested(70))
    resource = {"id": "/subscriptions/s/providers/A.B/c/d", "properties": {"x\n\x1b[31m": deep}}
    evil.write_text(json.dumps({**VALID, "resources": [resource]}))
    with pytest.raises(SystemExit) as exited:
        main(["scan", "--snapshot", str(evil), "--format", "json"])
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert len(err.strip().splitlines()) == 1 and "\x1b" not in err
    assert "estate\\x1b[2J.json: resources[0].properties.x\\n\\x1b[31m[0]" in err


# --- one id, one document ----------------------------------------------------------------------------

def recased(resource_id: str) -> str:
    """The same ARM id with its resource group and name in capitals (ARM ids compare case-insensitively)."""
    return resource_id.replace("/rg-data/", "/RG-Data/").replace("/stlake", "/STLake")


def duplicated(tags: dict[str, str], *, id_case=str) -> tuple[dict, dict]:
    first = arm("Microsoft.Storage/storageAccounts", "stlake", sku={"name": "Standard_GRS"})
    second = {**first, "id": id_case(first["id"]), "tags": tags}
    return first, second


@pytest.mark.parametrize("id_case", [str, recased])
def test_one_id_twice_with_different_content_in_one_snapshot_is_refused(tmp_path: Path, id_case):
    first, second = duplicated({"owner": "someone else"}, id_case=id_case)
    path = tmp_path / "estate.json"
    path.write_bytes(snapshot_bytes([first, second]))
    with pytest.raises(InputError) as caught:
        load_snapshot(path)
    assert caught.value.source == str(path) and second["id"] in caught.value.field
    assert "given twice with different content" in caught.value.message


@pytest.mark.parametrize("body", [lambda a, b: [a, b], lambda a, b: {"value": [a, b]}])
def test_one_id_twice_with_different_content_in_one_export_is_refused(tmp_path: Path, body):
    first, second = duplicated({"owner": "someone else"}, id_case=recased)
    path = tmp_path / "export.json"
    path.write_text(json.dumps(body(first, second)))
    with pytest.raises(InputError, match="given twice with different content") as caught:
        load_snapshot(path)
    assert caught.value.source == str(path)


def test_one_id_in_two_files_with_different_content_names_both_files(tmp_path: Path):
    first, second = duplicated({"owner": "someone else"}, id_case=recased)
    (tmp_path / "a.json").write_bytes(snapshot_bytes([first]))
    (tmp_path / "b.json").write_text(json.dumps({"value": [second]}))  # an export beside the snapshot
    with pytest.raises(InputError) as caught:
        load_snapshot(tmp_path)
    assert caught.value.source == str(tmp_path / "b.json") and str(tmp_path / "a.json") in caught.value.message
    assert second["id"] in caught.value.field


def test_identical_copies_are_one_document_whatever_the_case_of_their_id(tmp_path: Path):
    first, _ = duplicated({})
    same_but_case = {**first, "id": recased(first["id"]), "type": first["type"].lower()}
    path = tmp_path / "estate.json"
    path.write_bytes(snapshot_bytes([first, same_but_case]))
    assert len(load_snapshot(path).resources) == 1
    (tmp_path / "export.json").write_text(json.dumps({"value": [first, first]}))
    assert len(load_snapshot(tmp_path).resources) == 1
