from checks.keyvault.purge_protection import KeyVaultPurgeProtectionCheck
from scanner.check import Severity, Status
from scanner.model import ReadGap
from tests.checks.keyvault.builders import listed_without_properties, vault
from tests.helpers import example_body, inventory, judge, zone

CHECK = KeyVaultPurgeProtectionCheck()


def test_purge_protected_vault_passes():
    body = vault(enableSoftDelete=True, softDeleteRetentionInDays=90, enablePurgeProtection=True)
    assert judge(CHECK, body, zone("hot-spare", rpo="15m", rto="1h")).status == Status.PASS


def test_vault_that_omits_the_flag_fails_because_arm_omits_it_until_enabled():
    # Microsoft's GET example: properties read, enablePurgeProtection absent.
    result = judge(CHECK, example_body("keyvault/getVault.json"), zone())
    assert result.status == Status.FAIL
    assert result.severity == Severity.HIGH
    assert "omits enablePurgeProtection" in result.evidence["observed"]
    assert result.evidence["required"] == "enablePurgeProtection true"
    assert result.requirement.startswith("purge protection (every strategy")


def test_explicit_false_fails():
    result = judge(CHECK, vault(enableSoftDelete=True, enablePurgeProtection=False), zone())
    assert result.status == Status.FAIL
    assert result.evidence["observed"] is False


def test_never_not_applicable_even_a_redeploy_sandbox_is_judged():
    # The issue sets no strategy condition: keys outlive a redeploy, so every zone is judged.
    body = vault(enableSoftDelete=True)
    for strategy in ("redeploy", "backup-restore", "warm-spare", "hot-spare"):
        assert judge(CHECK, body, zone(strategy, rpo="15m", rto="1h")).status == Status.FAIL
    assert all(judge(CHECK, vault(enablePurgeProtection=True), zone(s)).status != Status.NOT_APPLICABLE
               for s in ("redeploy", "hot-spare"))


def test_vault_listed_without_properties_is_unknown_not_fail_or_pass():
    listed = listed_without_properties()
    result = judge(CHECK, listed, zone())
    assert result.status == Status.UNKNOWN
    gap = ReadGap(listed["id"], "Microsoft.KeyVault/vaults", "The client does not have authorization", 403)
    assert judge(CHECK, listed, zone(), inventory(listed, gaps=[gap])).gap == gap


def test_malformed_flag_is_unknown():
    assert judge(CHECK, vault(enablePurgeProtection="yes"), zone()).status == Status.UNKNOWN


def test_a_stated_setting_is_judged_even_without_tenant_id_sku_or_vault_uri():
    # Only a document with no vault settings at all is "not read"; one that states the flag was read.
    listed = listed_without_properties()
    stated_off = {**listed, "properties": {"enableSoftDelete": True, "enablePurgeProtection": False}}
    assert judge(CHECK, stated_off, zone()).status == Status.FAIL
    stated_on = {**listed, "properties": {"enablePurgeProtection": True}}
    assert judge(CHECK, stated_on, zone()).status == Status.PASS
    provisioning_only = {**listed, "properties": {"provisioningState": "Succeeded"}}
    assert judge(CHECK, provisioning_only, zone()).status == Status.UNKNOWN
