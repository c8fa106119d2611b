"""scanner/backup.py: backups linked to what they protect, from Microsoft's example payloads."""

from scanner.backup import backup_index, period_days, protection_of, protections_in
from scanner.model import Resource
from tests.checks.backup.builders import backup_vault, instance, policy
from tests.checks.storage.builders import account
from tests.helpers import arm, example_body, inventory

DISK = ("/subscriptions/36d32b25-3dc7-41b0-bde1-397500644591/resourceGroups/testRG/providers/Microsoft.Compute/disks/"
        "testDisk")


def test_the_extension_route_example_names_its_vault_through_the_policy():
    routed = example_body("dataprotection/ListBackupInstancesExtensionRouting.json")["value"][0]
    disk = arm("Microsoft.Compute/disks", "testDisk", rg="testRG", sub="36d32b25-3dc7-41b0-bde1-397500644591")
    inv = inventory(disk, routed)
    found = protection_of(inv.get(DISK), inv)
    assert [p.vault_name for p in found.protections] == ["jeczrsecy"]
    assert found.protections[0].active and found.protections[0].tiers is None  # the vault's policy was not read


def test_an_instance_listed_by_its_vault_and_by_its_data_source_counts_once_across_subscriptions():
    vault = backup_vault()
    source = account("stother", sku="Standard_LRS", hns=False, sub="00000000-0000-0000-0000-0000000000f6")
    the_policy = policy(vault, stores=("VaultStore", "OperationalStore"))  # kept 30 and 7 days
    in_vault = instance(vault, the_policy, {**source, "id": source["id"].upper()})
    routed = instance(vault, the_policy, source, routed=True)
    inv = inventory(vault, source, the_policy, in_vault, routed)
    found = protection_of(inv.get(source["id"]), inv)
    assert len(found.protections) == 1 and len(protections_in(inv.get(vault["id"]), inv)) == 1
    backup = found.protections[0]
    assert backup.vaulted and backup.retention == {"VaultStore": "P30D", "OperationalStore": "P7D"}
    assert backup.vault is inv.get(vault["id"])


def test_microsofts_list_example_links_the_postgresql_database_it_protects():
    body = example_body("dataprotection/ListBackupInstances.json")["value"][0]
    inv = inventory(body)
    source = body["properties"]["dataSourceInfo"]["resourceID"]
    [backup] = backup_index(inv).by_source[source.lower()]
    assert backup.vault_name == "PratikPrivatePreviewVault1" and not backup.active  # "NotProtected"
    assert protection_of(Resource({"id": source}), inv).protections == (backup,)


def test_iso_periods_in_days():
    assert [period_days(v) for v in ("P30D", "P12W", "P1Y", "P2M", "PT4H", "30 days", None)] == [
        30, 84, 365, 60, None, None, None]
