from checks.backup.cross_region_restore import BackupCrossRegionRestoreCheck
from scanner.check import Status
from scanner.model import ReadGap
from tests.checks.backup.builders import (
    backup_vault,
    instance,
    policy,
    protected_item,
    recovery_services_vault,
    storage_config,
)
from tests.checks.storage.builders import account
from tests.helpers import inventory, judge, zone

CHECK = BackupCrossRegionRestoreCheck()
WARM = zone("warm-spare", rto="4h")
VM = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/vm-sql"


def holding(vault):
    source = account("stdata", sku="Standard_LRS", hns=False)
    the_policy = policy(vault)
    return [vault, source, the_policy, instance(vault, the_policy, source)]


def test_geo_redundant_vault_without_cross_region_restore_fails_in_spare_zones():
    for strategy in ("warm-spare", "hot-spare"):
        vault = backup_vault(crr="Disabled")
        result = judge(CHECK, vault, zone(strategy), inventory(*holding(vault)))
        assert result.status == Status.FAIL, strategy
        assert result.requirement.startswith(f"restore in the paired region at any time ({strategy}, RTO ")
        assert "declares" in result.message


def test_backup_vault_without_feature_settings_has_cross_region_restore_off():
    vault = backup_vault(crr=None)  # ARM leaves featureSettings out until it is set
    assert judge(CHECK, vault, WARM, inventory(*holding(vault))).status == Status.FAIL


def test_cross_region_restore_enabled_passes():
    vault = backup_vault(crr="Enabled")
    assert judge(CHECK, vault, WARM, inventory(*holding(vault))).status == Status.PASS
    rsv = recovery_services_vault(crr="Enabled")
    assert judge(CHECK, rsv, WARM, inventory(rsv, protected_item(rsv, VM))).status == Status.PASS
    legacy = recovery_services_vault(legacy=True)
    docs = [legacy, protected_item(legacy, VM)]
    assert judge(CHECK, legacy, WARM, inventory(*docs, storage_config(legacy, crr=True))).status == Status.PASS
    assert judge(CHECK, legacy, WARM, inventory(*docs, storage_config(legacy))).status == Status.FAIL


def test_not_applicable_below_warm_spare_for_single_region_or_empty_vaults():
    vault = backup_vault(crr="Disabled")
    assert judge(CHECK, vault, zone("backup-restore"), inventory(*holding(vault))).status == Status.NOT_APPLICABLE
    local = backup_vault(redundancy="LocallyRedundant", crr="Disabled")
    assert judge(CHECK, local, WARM, inventory(*holding(local))).status == Status.NOT_APPLICABLE
    assert judge(CHECK, vault, WARM, inventory(vault)).status == Status.NOT_APPLICABLE


def test_unread_setting_or_contents_is_unknown():
    rsv = recovery_services_vault(legacy=True)
    gap = ReadGap(rsv["id"], "Microsoft.RecoveryServices/vaults/backupstorageconfig", "HTTP 500", 500)
    result = judge(CHECK, rsv, WARM, inventory(rsv, protected_item(rsv, VM), gaps=[gap]))
    assert result.status == Status.UNKNOWN and result.gap == gap
    vault = backup_vault(crr="Disabled")
    items_gap = ReadGap(vault["id"], "Microsoft.DataProtection/backupVaults/backupInstances", "HTTP 429", 429)
    assert judge(CHECK, vault, WARM, inventory(vault, gaps=[items_gap])).status == Status.UNKNOWN


def test_not_applicable_becomes_unknown_while_some_of_the_vaults_backups_were_not_read():
    vault = backup_vault(crr="Disabled")
    gap = ReadGap(vault["id"], "Microsoft.DataProtection/backupVaults/backupInstances", "HTTP 403", 403)
    result = judge(CHECK, vault, zone("backup-restore"), inventory(*holding(vault), gaps=[gap]))
    assert result.status == Status.UNKNOWN and result.gap == gap
