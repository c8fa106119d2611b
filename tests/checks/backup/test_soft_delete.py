from checks.backup.soft_delete import BackupSoftDeleteCheck
from scanner.check import Severity, Status
from scanner.model import ReadGap
from tests.checks.backup.builders import (
    backup_vault,
    instance,
    policy,
    protected_item,
    recovery_services_vault,
    vault_config,
)
from tests.checks.storage.builders import account
from tests.helpers import inventory, judge, zone

CHECK = BackupSoftDeleteCheck()
RESTORE = zone("backup-restore", requirements={"min_soft_delete_days": 30})
VM = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/vm-sql"


def holding(vault, stores=("VaultStore",)):
    source = account("stdata", sku="Standard_LRS", hns=False)
    the_policy = policy(vault, stores=stores)
    return [vault, source, the_policy, instance(vault, the_policy, source)]


def test_soft_delete_off_fails_in_every_documented_spelling():
    for state in ("Off", "Disabled"):
        vault = backup_vault(soft_delete=state, immutability="Unlocked")
        result = judge(CHECK, vault, RESTORE, inventory(*holding(vault)))
        assert result.status == Status.FAIL, state
        assert result.evidence["immutability"] == "Unlocked"
    rsv = recovery_services_vault(soft_delete="Disabled")
    assert judge(CHECK, rsv, RESTORE, inventory(rsv, protected_item(rsv, VM))).status == Status.FAIL


def test_soft_delete_on_long_enough_passes_in_every_documented_spelling():
    # Backup vaults: On / AlwaysOn (Microsoft's example says "Enabled"); Recovery Services: Enabled / AlwaysON.
    for state in ("On", "AlwaysOn", "Enabled"):
        vault = backup_vault(soft_delete=state, days=30.0)
        assert judge(CHECK, vault, RESTORE, inventory(*holding(vault))).status == Status.PASS, state
    for state in ("Enabled", "AlwaysON"):
        rsv = recovery_services_vault(soft_delete=state, days=45)
        assert judge(CHECK, rsv, RESTORE, inventory(rsv, protected_item(rsv, VM))).status == Status.PASS, state


def test_retention_shorter_than_the_zone_minimum_fails_low():
    vault = backup_vault(soft_delete="On", days=14)
    result = judge(CHECK, vault, RESTORE, inventory(*holding(vault)))
    assert result.status == Status.FAIL and result.severity == Severity.LOW
    assert "min_soft_delete_days=30" in result.requirement
    # The default minimum (7) is below the service's own (14): any vault with soft delete on meets it.
    assert judge(CHECK, vault, zone("backup-restore"), inventory(*holding(vault))).status == Status.PASS


def test_a_minimum_beyond_the_vaults_documented_maximum_fails_and_says_it_cannot_be_met_here():
    vault = backup_vault(soft_delete="AlwaysOn", days=180)
    result = judge(CHECK, vault, zone("backup-restore", requirements={"min_soft_delete_days": 200}),
                   inventory(*holding(vault)))
    assert result.status == Status.FAIL and result.severity == Severity.LOW
    assert "not achievable on Azure Backup vaults: documented maximum 180 days" in result.message
    assert "enhanced-soft-delete-about" in result.evidence["note"]


def test_legacy_recovery_services_vault_reads_the_vault_config():
    rsv = recovery_services_vault(legacy=True)
    docs = [rsv, protected_item(rsv, VM)]
    assert judge(CHECK, rsv, RESTORE, inventory(*docs, vault_config(rsv, "Enabled", 30))).status == Status.PASS
    assert judge(CHECK, rsv, RESTORE, inventory(*docs, vault_config(rsv, "Disabled"))).status == Status.FAIL


def test_not_applicable_to_empty_or_operational_tier_only_vaults_and_zero_minimum():
    vault = backup_vault(soft_delete="Off")
    assert judge(CHECK, vault, RESTORE, inventory(vault)).status == Status.NOT_APPLICABLE
    operational = inventory(*holding(vault, stores=("OperationalStore",)))
    assert judge(CHECK, vault, RESTORE, operational).status == Status.NOT_APPLICABLE
    no_minimum = zone("backup-restore", requirements={"min_soft_delete_days": 0})
    assert judge(CHECK, vault, no_minimum, inventory(*holding(vault))).status == Status.NOT_APPLICABLE


def test_unreadable_state_is_unknown():
    vault = backup_vault(soft_delete="Invalid")
    assert judge(CHECK, vault, RESTORE, inventory(*holding(vault))).status == Status.UNKNOWN
    rsv = recovery_services_vault(legacy=True)
    gap = ReadGap(rsv["id"], "Microsoft.RecoveryServices/vaults/backupconfig", "HTTP 403", 403)
    result = judge(CHECK, rsv, RESTORE, inventory(rsv, protected_item(rsv, VM), gaps=[gap]))
    assert result.status == Status.UNKNOWN and result.gap == gap


def test_a_pass_is_unknown_while_some_of_the_vaults_backups_were_not_read():
    # Backups seen through a data source's extension route, the vault's own list unread: one of the others
    # may belong to a zone asking for more days.
    vault = backup_vault(soft_delete="On", days=30)
    gap = ReadGap(vault["id"], "Microsoft.DataProtection/backupVaults/backupInstances", "HTTP 403", 403)
    result = judge(CHECK, vault, RESTORE, inventory(*holding(vault), gaps=[gap]))
    assert result.status == Status.UNKNOWN and result.gap == gap
    off = backup_vault(soft_delete="Off")
    assert judge(CHECK, off, RESTORE, inventory(*holding(off), gaps=[gap])).status == Status.FAIL
