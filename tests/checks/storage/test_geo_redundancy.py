from checks.storage.geo_redundancy import StorageGeoRedundancyCheck
from scanner.check import Status
from scanner.model import ReadGap
from tests.checks.backup.builders import (
    backup_vault,
    file_share_policy,
    instance,
    policy,
    protected_item,
    recovery_services_vault,
)
from tests.checks.storage.builders import account as storage_account
from tests.helpers import arm, example_body, inventory, judge, zone

CHECK = StorageGeoRedundancyCheck()


def account(sku: str | None) -> dict:
    body = example_body("storage/StorageAccountGetProperties.json")
    if sku:
        body["sku"] = {"name": sku, "tier": sku.split("_")[0]}
    else:
        del body["sku"]
    return body


def test_geo_redundant_account_passes():
    assert judge(CHECK, account("Standard_RAGZRS"), zone("backup-restore")).status == Status.PASS


def test_zone_redundant_only_account_fails_with_evidence():
    result = judge(CHECK, account("Premium_ZRS"), zone("hot-spare", rpo="15m", rto="1h"))
    assert result.status == Status.FAIL
    assert result.evidence["observed"] == "Premium_ZRS"
    assert "geo_redundancy=required" in result.requirement


def test_redeploy_zone_is_not_applicable_unless_overridden():
    assert judge(CHECK, account("Standard_LRS"), zone("redeploy")).status == Status.NOT_APPLICABLE
    overridden = zone("redeploy", requirements={"geo_redundancy": "required"})
    result = judge(CHECK, account("Standard_LRS"), overridden)
    assert result.status == Status.FAIL
    assert "zone override" in result.requirement


def test_missing_sku_is_unknown_not_pass():
    assert judge(CHECK, account(None), zone("warm-spare")).status == Status.UNKNOWN
    assert judge(CHECK, arm("Microsoft.Storage/storageAccounts", "x", sku={"name": "Weird"}),
                 zone()).status == Status.UNKNOWN


# --- backup-restore zones: a vaulted backup in a geo-redundant Backup vault is a copy outside the region ---
def _backed_up(vault_redundancy: str, stores=("VaultStore",), with_policy=True):
    source = storage_account("stlocal", sku="Standard_LRS", hns=False)
    vault = backup_vault(redundancy=vault_redundancy)
    the_policy = policy(vault, stores=stores)
    docs = [source, vault, instance(vault, the_policy, source)] + ([the_policy] if with_policy else [])
    return source, docs


def test_backup_restore_zone_counts_a_vaulted_backup_in_a_geo_redundant_vault():
    source, docs = _backed_up("GeoRedundant")
    result = judge(CHECK, source, zone("backup-restore"), inventory(*docs))
    assert result.status == Status.PASS
    assert "bvault-weu" in result.message


def test_the_backup_rule_does_not_count_local_vaults_operational_tier_or_spare_zones():
    for vault_redundancy, stores in (("LocallyRedundant", ("VaultStore",)), ("GeoRedundant", ("OperationalStore",))):
        source, docs = _backed_up(vault_redundancy, stores)
        assert judge(CHECK, source, zone("backup-restore"), inventory(*docs)).status == Status.FAIL, vault_redundancy
    source, docs = _backed_up("GeoRedundant")
    assert judge(CHECK, source, zone("warm-spare"), inventory(*docs)).status == Status.FAIL


def test_the_backup_rule_is_unknown_when_the_tier_or_a_vault_was_not_read():
    source, docs = _backed_up("GeoRedundant", with_policy=False)
    assert judge(CHECK, source, zone("backup-restore"), inventory(*docs)).status == Status.UNKNOWN
    vault_list = ReadGap("/subscriptions/00000000-0000-0000-0000-0000000000c3", "Microsoft.DataProtection/backupVaults",
                         "HTTP 403", 403)
    result = judge(CHECK, source, zone("backup-restore"), inventory(source, gaps=[vault_list]))
    assert result.status == Status.UNKNOWN and result.gap == vault_list


def test_a_file_storage_account_counts_a_vault_tier_azure_files_backup_in_a_geo_redundant_vault():
    shares = storage_account("stfiles", sku="Premium_LRS", hns=None, kind="FileStorage")

    def judged(redundancy: str, *, vaulted: bool, gaps=()):
        rsv = recovery_services_vault(redundancy=redundancy)
        item = protected_item(rsv, shares["id"], management="AzureStorage", workload="AzureFileShare")
        the_policy = {**file_share_policy(rsv, vaulted=vaulted), "id": item["properties"]["policyId"]}
        return judge(CHECK, shares, zone("backup-restore"), inventory(shares, rsv, item, the_policy, gaps=list(gaps)))

    passed = judged("GeoRedundant", vaulted=True)
    assert passed.status == Status.PASS and "rsv-weu" in passed.message
    assert judged("LocallyRedundant", vaulted=True).status == Status.FAIL
    assert judged("GeoRedundant", vaulted=False).status == Status.FAIL  # share snapshots stay in the account


def test_blob_backups_do_not_count_for_a_file_storage_account_nor_share_backups_for_blobs():
    shares = storage_account("stfiles", sku="Premium_LRS", hns=None, kind="FileStorage")
    vault = backup_vault(redundancy="GeoRedundant")
    the_policy = policy(vault, stores=("VaultStore",))
    blob_backup = instance(vault, the_policy, shares)
    assert judge(CHECK, shares, zone("backup-restore"),
                 inventory(shares, vault, the_policy, blob_backup)).status == Status.FAIL
    blobs = storage_account("stlocal", sku="Standard_LRS", hns=False)
    rsv = recovery_services_vault(redundancy="GeoRedundant")
    item = protected_item(rsv, blobs["id"], management="AzureStorage", workload="AzureFileShare")
    share_policy = {**file_share_policy(rsv, vaulted=True), "id": item["properties"]["policyId"]}
    assert judge(CHECK, blobs, zone("backup-restore"),
                 inventory(blobs, rsv, item, share_policy)).status == Status.FAIL
