"""Child lists a foreign export does not hold are read gaps, never "none" (scanner/child_lists.py)."""

import json
from pathlib import Path

from scanner.backup import BACKUP_INSTANCE, BACKUP_POLICY, RS_POLICY, RS_PROTECTED_ITEM
from scanner.check import Status
from scanner.child_lists import CHILD_LISTS, INSTANCE_FAILOVER_GROUP
from scanner.collect.collectors import BACKUP_INSTANCE as ROUTE_CHILD
from scanner.collect.collectors import STORAGE, TYPES, ChildSpec
from scanner.policy import parse_policy
from scanner.snapshot import load_snapshot
from tests.helpers import arm, arm_id
from tests.scanner.test_exports import EXPORTS, SAMPLE, to_powershell, verdicts

VAULTS = EXPORTS / "psrule-vaults.json"
BACKUP_VAULT_ID = ("/subscriptions/6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e02/resourceGroups/rg-sales-serving/providers/"
                   "Microsoft.DataProtection/backupVaults/bvault-sales-weu")
RS_VAULT_ID = ("/subscriptions/6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e02/resourceGroups/rg-sales-serving/providers/"
               "Microsoft.RecoveryServices/vaults/rsv-sales-weu")
ACCOUNT_ID = ("/subscriptions/6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e02/resourceGroups/rg-sales-serving/providers/"
              "Microsoft.Storage/storageAccounts/stsalesexportsweu")
BACKUP_ZONE = parse_policy({"default_zone": {"name": "z", "strategy": "backup-restore", "rpo": "24h", "rto": "24h",
                                             "requirements": {"azure_backup": "required"}}}, "policy.yaml")


def export_gaps(inventory) -> dict[tuple[str, str], str]:
    return {(g.scope, g.data): g.error for g in inventory.gaps if "not in the export" in g.error}


def test_the_table_is_the_collectors_child_lists():
    def walk(parent_type, children):
        for child in children:
            if isinstance(child, ChildSpec):
                yield parent_type.lower(), child.type.lower(), child.when
                yield from walk(child.type, child.children)

    collected = {entry for spec in TYPES for entry in walk(spec.type, spec.children)}
    # The extension route lists a storage account's backup instances from the account's side; an export
    # without it leaves the vaults' own lists to tell (scanner/backup.py, `_hiding_gap`).
    route = next(c for c in STORAGE.children if isinstance(c, ChildSpec) and c.type == ROUTE_CHILD)
    collected.discard((STORAGE.type.lower(), ROUTE_CHILD.lower(), route.when))
    assert {(e.parent_type.lower(), e.type.lower(), e.when) for e in CHILD_LISTS} == collected


def test_a_psrule_export_of_vaults_leaves_their_contents_unread_not_empty():
    inventory = load_snapshot(VAULTS)
    gaps = export_gaps(inventory)
    assert set(gaps) == {(BACKUP_VAULT_ID, BACKUP_INSTANCE), (BACKUP_VAULT_ID, BACKUP_POLICY),
                         (RS_VAULT_ID, RS_PROTECTED_ITEM), (RS_VAULT_ID, RS_POLICY)}
    assert str(VAULTS) in gaps[(BACKUP_VAULT_ID, BACKUP_INSTANCE)]
    # The account's blob service is nested in the export: read, and judged.
    assert (ACCOUNT_ID, "Microsoft.Storage/storageAccounts/blobServices") not in gaps
    found = verdicts(inventory, BACKUP_ZONE)
    for check in ("BAK-001", "BAK-002", "BAK-003"):
        for vault in (BACKUP_VAULT_ID, RS_VAULT_ID):
            result = found[(check, vault.lower())]
            assert result.status == Status.UNKNOWN, (check, vault)
            assert "not in the export" in result.result.gap.error
    # Which vault protects the account is unknown: never "no backup" from an absent list.
    assert found[("BAK-004", ACCOUNT_ID.lower())].status == Status.UNKNOWN
    assert found[("STG-005", ACCOUNT_ID.lower())].status == Status.PASS


def sample_children(parent_id: str) -> list[dict]:
    resources = json.loads((SAMPLE / "60-backup.json").read_text("utf-8"))["resources"]
    return [r for r in resources if r["id"].lower().startswith(parent_id.lower() + "/")]


def test_lists_the_export_holds_are_read_and_judged(tmp_path: Path):
    documents = json.loads(VAULTS.read_text("utf-8"))
    documents[0]["resources"] = [to_powershell(child, []) for child in sample_children(BACKUP_VAULT_ID)]
    # A second Backup vault of the same file without children: the file exports that list, so it has none.
    empty = arm("Microsoft.DataProtection/backupVaults", "bvault-empty", location="westeurope",
                properties={"storageSettings": [{"datastoreType": "VaultStore", "type": "GeoRedundant"}]})
    documents.append(to_powershell(empty, []))
    path = tmp_path / "export.json"
    path.write_text(json.dumps(documents))
    inventory = load_snapshot(path)
    assert {scope for scope, _ in export_gaps(inventory)} == {RS_VAULT_ID}
    found = verdicts(inventory, BACKUP_ZONE)
    expected = verdicts(load_snapshot(SAMPLE), BACKUP_ZONE)
    for check in ("BAK-001", "BAK-003"):
        key = (check, BACKUP_VAULT_ID.lower())
        assert (found[key].status, found[key].result.message) == (expected[key].status, expected[key].result.message)
    assert found[("BAK-003", empty["id"].lower())].status == Status.NOT_APPLICABLE


def test_a_child_list_in_another_file_of_the_directory_counts(tmp_path: Path):
    (tmp_path / "vaults.json").write_text(VAULTS.read_text("utf-8"))
    instances = [c for c in sample_children(BACKUP_VAULT_ID) if c["type"] == BACKUP_INSTANCE]
    (tmp_path / "instances.json").write_text(json.dumps({"value": instances}))  # an ARM list response
    gaps = export_gaps(load_snapshot(tmp_path))
    assert (BACKUP_VAULT_ID, BACKUP_INSTANCE) not in gaps
    assert (BACKUP_VAULT_ID, BACKUP_POLICY) in gaps and str(tmp_path / "vaults.json") in gaps[
        (BACKUP_VAULT_ID, BACKUP_POLICY)]


def test_bcdr_scan_snapshots_keep_their_collectors_gaps_only():
    assert export_gaps(load_snapshot(SAMPLE)) == {}


def test_managed_instances_without_instance_failover_groups_leave_them_unread(tmp_path: Path):
    instance = arm("Microsoft.Sql/managedInstances", "sqlmi1", location="westeurope",
                   properties={"requestedBackupStorageRedundancy": "Geo"})
    path = tmp_path / "list.json"
    path.write_text(json.dumps({"value": [instance]}))
    gaps = export_gaps(load_snapshot(path))
    subscription = instance["id"].split("/resourceGroups/")[0]
    assert (subscription, INSTANCE_FAILOVER_GROUP) in gaps
    assert (instance["id"], "Microsoft.Sql/managedInstances/databases") in gaps
    group = {"id": arm_id("Microsoft.Sql/locations/instanceFailoverGroups", "westeurope/fog1"),
             "type": INSTANCE_FAILOVER_GROUP, "properties": {}}
    path.write_text(json.dumps({"value": [instance, group]}))
    assert (subscription, INSTANCE_FAILOVER_GROUP) not in export_gaps(load_snapshot(path))
