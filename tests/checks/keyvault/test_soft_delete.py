from checks.keyvault.soft_delete import KeyVaultSoftDeleteCheck
from scanner.check import Severity, Status
from tests.checks.keyvault.builders import listed_without_properties, vault
from tests.helpers import example_body, judge, zone

CHECK = KeyVaultSoftDeleteCheck()
RESEARCH = zone("backup-restore", requirements={"min_soft_delete_days": 14})


def test_soft_delete_with_long_enough_retention_passes():
    result = judge(CHECK, vault(enableSoftDelete=True, softDeleteRetentionInDays=30), RESEARCH)
    assert result.status == Status.PASS
    assert result.evidence["observed"] == {"enableSoftDelete": True, "softDeleteRetentionInDays": 30}


def test_unreported_settings_pass_on_the_documented_defaults_and_say_so():
    # listVaultBySubscription reports enableSoftDelete but no retention; getVault reports neither.
    listed = example_body("keyvault/listVaultBySubscription.json")["value"][0]
    result = judge(CHECK, listed, RESEARCH)
    assert result.status == Status.PASS
    assert "service default of 90 days" in result.evidence["observed"]["softDeleteRetentionInDays"]
    bare = judge(CHECK, example_body("keyvault/getVault.json"), RESEARCH)
    assert bare.status == Status.PASS
    assert "on by default" in bare.evidence["observed"]["enableSoftDelete"]


def test_soft_delete_off_fails_high():
    result = judge(CHECK, vault(enableSoftDelete=False), zone("hot-spare", rpo="15m", rto="1h"))
    assert (result.status, result.severity) == (Status.FAIL, Severity.HIGH)
    assert result.evidence["observed"] == {"enableSoftDelete": False}
    assert result.requirement == "min_soft_delete_days=7 (hot-spare default)"


def test_retention_below_the_zone_minimum_fails_low():
    result = judge(CHECK, vault(enableSoftDelete=True, softDeleteRetentionInDays=7), RESEARCH)
    assert (result.status, result.severity) == (Status.FAIL, Severity.LOW)
    assert result.evidence["required"] == "softDeleteRetentionInDays >= 14"
    assert result.requirement == "min_soft_delete_days=14 (zone override)"
    assert judge(CHECK, vault(enableSoftDelete=True, softDeleteRetentionInDays=14), RESEARCH).status == Status.PASS


def test_never_not_applicable_every_zone_is_judged():
    # Soft delete is judged in every zone, the redeploy sandbox included (against its own minimum).
    sandbox = zone("redeploy", requirements={"min_soft_delete_days": 7})
    assert judge(CHECK, vault(enableSoftDelete=False), sandbox).status == Status.FAIL
    assert judge(CHECK, vault(softDeleteRetentionInDays=7), sandbox).status == Status.PASS
    for strategy in ("redeploy", "backup-restore", "warm-spare", "hot-spare"):
        assert judge(CHECK, vault(enableSoftDelete=False), zone(strategy)).status == Status.FAIL


def test_vault_without_properties_or_with_odd_values_is_unknown():
    assert judge(CHECK, listed_without_properties(), RESEARCH).status == Status.UNKNOWN
    assert judge(CHECK, vault(softDeleteRetentionInDays="ninety"), RESEARCH).status == Status.UNKNOWN
    assert judge(CHECK, vault(enableSoftDelete="true"), RESEARCH).status == Status.UNKNOWN


def test_soft_delete_stated_off_is_judged_even_without_tenant_id_sku_or_vault_uri():
    stated_off = {**listed_without_properties(), "properties": {"enableSoftDelete": False}}
    result = judge(CHECK, stated_off, zone())
    assert result.status == Status.FAIL
    assert result.severity == Severity.HIGH


def test_a_minimum_beyond_key_vaults_documented_maximum_fails_and_says_it_cannot_be_met_here():
    # 120 days is a valid policy value (blob soft delete keeps up to 365); Key Vault keeps at most 90.
    long = zone("backup-restore", requirements={"min_soft_delete_days": 120})
    result = judge(CHECK, vault(enableSoftDelete=True, softDeleteRetentionInDays=90), long)
    assert (result.status, result.severity) == (Status.FAIL, Severity.LOW)
    assert "not achievable on Key Vault: documented maximum 90 days" in result.message
    assert "soft-delete-overview" in result.evidence["note"]
    assert "note" not in judge(CHECK, vault(enableSoftDelete=True, softDeleteRetentionInDays=7), RESEARCH).evidence
