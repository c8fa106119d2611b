from checks.backup.vault_redundancy import BackupVaultRedundancyCheck
from scanner.check import Status
from scanner.model import ReadGap
from tests.checks.backup.builders import (
    backup_vault,
    file_share_policy,
    instance,
    policy,
    protected_item,
    recovery_services_vault,
    storage_config,
)
from tests.checks.storage.builders import account
from tests.helpers import inventory, judge, zone

CHECK = BackupVaultRedundancyCheck()
RESTORE = zone("backup-restore")


def holding(vault, stores=("VaultStore",)):
    """The vault, a storage account, and a backup of the account in the vault with a policy keeping `stores`."""
    source = account("stdata", sku="Standard_LRS", hns=False)
    the_policy = policy(vault, stores=stores)
    return [vault, source, the_policy, instance(vault, the_policy, source)]


def test_locally_and_zone_redundant_vaults_holding_vaulted_backups_fail():
    for redundancy in ("LocallyRedundant", "ZoneRedundant"):
        vault = backup_vault(redundancy=redundancy)
        result = judge(CHECK, vault, RESTORE, inventory(*holding(vault)))
        assert result.status == Status.FAIL, redundancy
        assert result.evidence["observed"] == redundancy
        assert "geo_redundancy=required" in result.requirement


def test_geo_redundant_vault_passes():
    vault = backup_vault(redundancy="GeoRedundant")
    assert judge(CHECK, vault, RESTORE, inventory(*holding(vault))).status == Status.PASS


def test_recovery_services_vault_redundancy_from_properties_or_storage_config():
    vault = recovery_services_vault(redundancy="LocallyRedundant")
    item = protected_item(vault, "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/vm")
    assert judge(CHECK, vault, RESTORE, inventory(vault, item)).status == Status.FAIL
    legacy = recovery_services_vault(legacy=True)
    item = protected_item(legacy, "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/vm")
    geo = judge(CHECK, legacy, RESTORE, inventory(legacy, item, storage_config(legacy, "GeoRedundant")))
    assert geo.status == Status.PASS
    local = judge(CHECK, legacy, RESTORE, inventory(legacy, item, storage_config(legacy, "LocallyRedundant")))
    assert local.status == Status.FAIL


def test_empty_vaults_and_operational_tier_only_vaults_are_not_applicable():
    vault = backup_vault(redundancy="LocallyRedundant")
    assert judge(CHECK, vault, RESTORE, inventory(vault)).status == Status.NOT_APPLICABLE
    operational = judge(CHECK, vault, RESTORE, inventory(*holding(vault, stores=("OperationalStore",))))
    assert operational.status == Status.NOT_APPLICABLE

def test_azure_files_items_count_only_with_a_vault_tier_policy():
    # Azure Files recovery points are share snapshots in the storage account unless the policy adds a vault tier.
    rsv = recovery_services_vault(redundancy="LocallyRedundant")
    files = protected_item(rsv, "/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/st",
                           management="AzureStorage", workload="AzureFileShare")
    snapshots = {**file_share_policy(rsv, vaulted=False), "id": files["properties"]["policyId"]}
    vaulted = {**file_share_policy(rsv, vaulted=True), "id": files["properties"]["policyId"]}
    assert judge(CHECK, rsv, RESTORE, inventory(rsv, files, snapshots)).status == Status.NOT_APPLICABLE
    assert judge(CHECK, rsv, RESTORE, inventory(rsv, files, vaulted)).status == Status.FAIL
    gap = ReadGap(rsv["id"], "Microsoft.RecoveryServices/vaults/backupPolicies", "HTTP 403", 403)
    unread = judge(CHECK, rsv, RESTORE, inventory(rsv, files, gaps=[gap]))
    assert unread.status == Status.UNKNOWN and unread.gap == gap


def test_not_applicable_where_no_zone_requires_geo_redundancy():
    vault = backup_vault(redundancy="LocallyRedundant")
    assert judge(CHECK, vault, zone("redeploy"), inventory(*holding(vault))).status == Status.NOT_APPLICABLE


def test_unread_contents_policy_or_setting_is_unknown():
    vault = backup_vault(redundancy="LocallyRedundant")
    gap = ReadGap(vault["id"], "Microsoft.DataProtection/backupVaults/backupInstances", "HTTP 403", 403)
    result = judge(CHECK, vault, RESTORE, inventory(vault, gaps=[gap]))
    assert result.status == Status.UNKNOWN and result.gap == gap
    docs = holding(vault)
    unread_policy = judge(CHECK, vault, RESTORE, inventory(*[d for d in docs if "backupPolicies" not in d["id"]]))
    assert unread_policy.status == Status.UNKNOWN
    no_setting = backup_vault(redundancy=None)
    assert judge(CHECK, no_setting, RESTORE, inventory(*holding(no_setting))).status == Status.UNKNOWN
    legacy = recovery_services_vault(legacy=True)
    item = protected_item(legacy, "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/vm")
    assert judge(CHECK, legacy, RESTORE, inventory(legacy, item)).status == Status.UNKNOWN


def test_microsofts_example_vault_is_judged_without_error():
    vault = backup_vault(name="swaggerExample", redundancy="LocallyRedundant")  # the example: LocallyRedundant
    assert judge(CHECK, vault, RESTORE, inventory(*holding(vault))).status == Status.FAIL


def test_a_vault_is_held_to_the_zone_of_the_data_it_backs_up_across_subscriptions():
    from scanner.check import EvaluationContext
    from scanner.model import Resource
    from scanner.policy import parse_policy
    from tests.helpers import SCAN_TIME

    other_sub = "00000000-0000-0000-0000-0000000000b2"
    vault = backup_vault(redundancy="LocallyRedundant")  # in SUB: a redeploy zone
    source = account("stcrit", sku="Standard_LRS", hns=False, sub=other_sub)  # a backup-restore zone
    the_policy = policy(vault)
    inv = inventory(vault, source, the_policy, instance(vault, the_policy, {**source, "id": source["id"].upper()}))
    policy_doc = parse_policy({"zones": [
        {"name": "lz-critical", "strategy": "backup-restore", "rpo": "24h", "rto": "24h",
         "match": {"subscriptions": [other_sub]}}],
        "default_zone": {"name": "lz-lab", "strategy": "redeploy", "rpo": "7d", "rto": "7d"}}, "<test>")
    ctx = EvaluationContext(inv, policy_doc.default_zone, policy_doc, SCAN_TIME)
    result = CHECK.evaluate(inv.get(vault["id"]) or Resource(vault), ctx)
    assert result.status == Status.FAIL
    assert "lz-critical" in result.requirement and "stcrit" in result.requirement


def test_not_applicable_becomes_unknown_while_some_of_the_vaults_backups_were_not_read():
    vault = backup_vault(redundancy="LocallyRedundant")
    gap = ReadGap(vault["id"], "Microsoft.DataProtection/backupVaults/backupPolicies", "HTTP 500", 500)
    result = judge(CHECK, vault, zone("redeploy"), inventory(*holding(vault), gaps=[gap]))
    assert result.status == Status.UNKNOWN and result.gap == gap
