from checks.backup.unprotected_data_store import UnprotectedDataStoreCheck
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
from tests.checks.storage.builders import account
from tests.helpers import example_body, inventory, judge, zone

CHECK = UnprotectedDataStoreCheck()
REQUIRED = zone("backup-restore", requirements={"azure_backup": "required"})
BACKUP_VAULTS = "Microsoft.DataProtection/backupVaults"
INSTANCES = "Microsoft.DataProtection/backupVaults/backupInstances"


def blob_account(**kwargs):
    return account("stdata", sku="Standard_LRS", hns=False, **kwargs)


def protected(stores=("VaultStore",), *, routed=False, status="ProtectionConfigured", with_vault=True):
    source = blob_account()
    vault = backup_vault()
    the_policy = policy(vault, stores=stores)
    docs = [source, instance(vault, the_policy, source, routed=routed, status=status)]
    return source, docs + ([vault, the_policy] if with_vault else [])


def test_vaulted_backup_passes_from_the_vault_or_the_extension_route():
    for routed in (False, True):
        source, docs = protected(routed=routed)
        result = judge(CHECK, source, REQUIRED, inventory(*docs))
        assert result.status == Status.PASS, routed
        assert "bvault-weu" in result.message


def test_no_backup_fails_and_names_the_nearest_vault():
    source = blob_account()
    vault = backup_vault(name="bvault-near")
    far = backup_vault(name="bvault-far", location="northeurope")
    result = judge(CHECK, source, REQUIRED, inventory(source, far, vault))
    assert result.status == Status.FAIL
    assert result.evidence["nearest_vault"] == vault["id"]
    assert "bvault-near" in result.message
    alone = judge(CHECK, source, REQUIRED, inventory(source, far))
    assert alone.status == Status.FAIL and alone.evidence["nearest_vault"] is None


def test_operational_tier_only_or_stopped_backups_do_not_count():
    source, docs = protected(stores=("OperationalStore",))
    result = judge(CHECK, source, REQUIRED, inventory(*docs))
    assert result.status == Status.FAIL
    assert "operational" in result.message
    source, docs = protected(status="ProtectionStopped")
    assert judge(CHECK, source, REQUIRED, inventory(*docs)).status == Status.FAIL


def test_not_applicable_where_not_required_or_not_supported():
    source, docs = protected()
    assert judge(CHECK, source, zone("backup-restore"), inventory(*docs)).status == Status.NOT_APPLICABLE
    for doc, why in ((account("stlake", sku="Standard_LRS", hns=True), "hierarchical"),
                     (account("stprem", sku="Premium_LRS", hns=False, kind="BlockBlobStorage"), "general-purpose v2"),
                     (account("stv1", sku="Standard_LRS", hns=None, kind="Storage"), "general-purpose v2")):
        result = judge(CHECK, doc, REQUIRED, inventory(doc))
        assert result.status == Status.NOT_APPLICABLE and why in result.message, doc["name"]


def test_postgresql_flexible_server_from_microsofts_example():
    server = example_body("postgresql/ServersGet.json")
    assert judge(CHECK, server, REQUIRED, inventory(server)).status == Status.FAIL
    vault = backup_vault(location=server["location"])
    the_policy = policy(vault, datasource="Microsoft.DBforPostgreSQL/flexibleServers")
    backup = instance(vault, the_policy, server, datasource="Microsoft.DBforPostgreSQL/flexibleServers")
    assert judge(CHECK, server, REQUIRED, inventory(server, vault, the_policy, backup)).status == Status.PASS


def test_an_unread_vault_makes_the_verdict_unknown_not_fail():
    source = blob_account()
    other_sub_list = ReadGap("/subscriptions/00000000-0000-0000-0000-0000000000c3", BACKUP_VAULTS, "HTTP 403", 403)
    result = judge(CHECK, source, REQUIRED, inventory(source, gaps=[other_sub_list]))
    assert result.status == Status.UNKNOWN and result.gap == other_sub_list
    near, far = backup_vault(name="bvault-near"), backup_vault(name="bvault-far", location="northeurope")
    near_gap = ReadGap(near["id"], INSTANCES, "HTTP 500", 500)
    assert judge(CHECK, source, REQUIRED, inventory(source, near, gaps=[near_gap])).status == Status.UNKNOWN
    # A vault in another region cannot protect the account: its gap hides nothing.
    far_gap = ReadGap(far["id"], INSTANCES, "HTTP 500", 500)
    assert judge(CHECK, source, REQUIRED, inventory(source, far, gaps=[far_gap])).status == Status.FAIL
    # The instance is known (extension route) but its vault and policy are not: the tier is unknown.
    source, docs = protected(routed=True, with_vault=False)
    assert judge(CHECK, source, REQUIRED, inventory(*docs)).status == Status.UNKNOWN


def test_the_extension_route_read_live_answers_for_vaults_the_scan_cannot_list():
    source = blob_account()
    vault_list = ReadGap("/subscriptions/00000000-0000-0000-0000-0000000000c3", BACKUP_VAULTS, "HTTP 403", 403)
    live = inventory(source, gaps=[vault_list], source={"mode": "live"})
    assert judge(CHECK, source, REQUIRED, live).status == Status.FAIL
    route_gap = ReadGap(source["id"], INSTANCES, "HTTP 429", 429)
    unread = inventory(source, gaps=[route_gap], source={"mode": "live"})
    assert judge(CHECK, source, REQUIRED, unread).status == Status.UNKNOWN


def test_backups_of_other_data_of_the_account_do_not_count_for_its_blobs():
    source = blob_account()
    rsv = recovery_services_vault()
    files = protected_item(rsv, source["id"], management="AzureStorage", workload="AzureFileShare")
    the_policy = {**file_share_policy(rsv, vaulted=True), "id": files["properties"]["policyId"]}
    result = judge(CHECK, source, REQUIRED, inventory(source, rsv, files, the_policy))
    assert result.status == Status.FAIL


def test_file_storage_accounts_are_judged_on_their_azure_files_backups():
    shares = account("stfiles", sku="Premium_LRS", hns=None, kind="FileStorage")
    rsv = recovery_services_vault(name="rsv-near")
    item = protected_item(rsv, shares["id"], management="AzureStorage", workload="AzureFileShare")
    policy_id = item["properties"]["policyId"]
    vaulted = {**file_share_policy(rsv, vaulted=True), "id": policy_id}
    snapshots = {**file_share_policy(rsv, vaulted=False), "id": policy_id}
    assert judge(CHECK, shares, REQUIRED, inventory(shares, rsv, item, vaulted)).status == Status.PASS
    result = judge(CHECK, shares, REQUIRED, inventory(shares, rsv, item, snapshots))
    assert result.status == Status.FAIL and "snapshots" in result.message
    nothing = judge(CHECK, shares, REQUIRED, inventory(shares, rsv))
    assert nothing.status == Status.FAIL and nothing.evidence["nearest_vault"] == rsv["id"]
    items_gap = ReadGap(rsv["id"], "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/"
                        "protectedItems", "HTTP 403", 403)
    unread = judge(CHECK, shares, REQUIRED, inventory(shares, rsv, gaps=[items_gap]))
    assert unread.status == Status.UNKNOWN and unread.gap == items_gap
