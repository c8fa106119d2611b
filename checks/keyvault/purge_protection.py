from __future__ import annotations

from checks.keyvault._vault import (
    GUIDANCE_SECTION,
    KEY_VAULT,
    RECOVERY_DOC,
    SOFT_DELETE_DOC,
    properties_read,
    read_gap,
)
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource


class KeyVaultPurgeProtectionCheck(Check):
    id = "KV-001"
    title = "Key Vault purge protection is not enabled"
    service = "Key Vault"
    resource_type = KEY_VAULT
    severity = Severity.HIGH
    rationale = (
        "Soft delete keeps a deleted vault, key, secret or certificate recoverable for its retention period, "
        "but without purge protection anyone with purge permission (or an attacker holding it) can erase it "
        "for good before then. A purged key makes everything encrypted with it unreadable: storage accounts, "
        "databases and backups that use customer-managed keys become unrecoverable in every zone, whatever "
        "its DR strategy."
    )
    guidance = GUIDANCE_SECTION
    logic = {
        "redeploy": "fail when enablePurgeProtection is not true (data encrypted by the vault's keys outlives "
                    "a redeploy)",
        "backup-restore": "fail when enablePurgeProtection is not true",
        "warm-spare": "fail when enablePurgeProtection is not true",
        "hot-spare": "fail when enablePurgeProtection is not true",
    }
    remediation = Remediation(
        summary="Enable purge protection. It cannot be turned off again, and a vault name with purge "
                "protection stays reserved until its retention period ends after deletion.",
        portal="Key vault > Settings > Properties > Purge protection > Enable purge protection > Save.",
        cli="az keyvault update -g <rg> -n <vault> --enable-purge-protection true",
        iac="Bicep: properties.enablePurgeProtection: true; Terraform (azurerm_key_vault): "
            "purge_protection_enabled = true",
    )
    references = (
        SOFT_DELETE_DOC,
        RECOVERY_DOC,
        "https://learn.microsoft.com/azure/key-vault/general/best-practices",
    )

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        if not properties_read(resource):
            return self.unknown("the vault's properties (enablePurgeProtection)", read_gap(resource, ctx.inventory))
        value = resource.prop("enablePurgeProtection")
        if value is True:
            return self.passed("purge protection is enabled", observed=True)
        if value is not None and value is not False:
            return self.unknown(f"a boolean enablePurgeProtection (got {value!r})")
        observed = False if value is False else "not set (ARM omits enablePurgeProtection until it is enabled)"
        return self.failed(
            "purge protection is off: deleted keys, secrets and certificates (and the vault itself) can be "
            "purged before the soft-delete retention ends",
            observed=observed,
            required="enablePurgeProtection true",
            # Required in every zone: purge protection is what makes the soft-delete retention a guarantee.
            requirement="purge protection (every strategy: without it soft-deleted items can be purged at once)",
        )
