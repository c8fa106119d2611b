from __future__ import annotations

from typing import Any

from checks.keyvault._vault import (
    DEFAULT_SOFT_DELETE_DAYS,
    GUIDANCE_SECTION,
    KEY_VAULT,
    RECOVERY_DOC,
    SOFT_DELETE_DOC,
    properties_read,
    read_gap,
)
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource
from scanner.retention_ranges import KEY_VAULT_SOFT_DELETE, beyond_service

_DEFAULT_ON = "not reported: soft delete is on by default and can no longer be turned off"
_DEFAULT_DAYS = f"not reported: the service default of {DEFAULT_SOFT_DELETE_DAYS} days applies"


class KeyVaultSoftDeleteCheck(Check):
    id = "KV-002"
    title = "Key Vault soft delete is off or too short"
    service = "Key Vault"
    resource_type = KEY_VAULT
    severity = Severity.HIGH
    rationale = (
        "Soft delete is the only way back from a deleted vault, key, secret or certificate: Key Vault has no "
        "point-in-time restore. With it off a deletion is final. With a retention shorter than the zone asks "
        "for, a deletion noticed late (after a weekend, or during a long incident) can no longer be undone."
    )
    guidance = GUIDANCE_SECTION
    logic = {
        "redeploy": "fail (high) when enableSoftDelete is false; fail (low) when softDeleteRetentionInDays is "
                    "below min_soft_delete_days",
        "backup-restore": "fail (high) when enableSoftDelete is false; fail (low) when softDeleteRetentionInDays "
                          "is below min_soft_delete_days",
        "warm-spare": "fail (high) when enableSoftDelete is false; fail (low) when softDeleteRetentionInDays is "
                      "below min_soft_delete_days",
        "hot-spare": "fail (high) when enableSoftDelete is false; fail (low) when softDeleteRetentionInDays is "
                     "below min_soft_delete_days",
    }
    remediation = Remediation(
        summary="Turn soft delete on (it cannot be turned off again). The retention period is fixed when soft "
                "delete is first enabled: a vault whose retention is too short must be replaced by a new vault "
                "created with the required retention (7 to 90 days), and its keys, secrets and certificates "
                "moved to it.",
        portal="Key vault > Settings > Properties > Soft-delete > Enable; for a new vault: Create a key vault > "
               "Basics > Days to retain deleted vaults.",
        cli="az keyvault update -g <rg> -n <vault> --enable-soft-delete true\n"
            "az keyvault create -g <rg> -n <new-vault> -l <region> --retention-days 90 --enable-purge-protection "
            "true",
        iac="Bicep: properties.enableSoftDelete: true, properties.softDeleteRetentionInDays: 90; Terraform "
            "(azurerm_key_vault): soft_delete_retention_days = 90 (soft delete is always on)",
    )
    references = (
        SOFT_DELETE_DOC,
        RECOVERY_DOC,
        "https://learn.microsoft.com/azure/key-vault/general/soft-delete-change",
    )

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if not properties_read(resource):
            return self.unknown("the vault's properties (enableSoftDelete, softDeleteRetentionInDays)",
                                read_gap(resource, ctx.inventory))
        minimum = zone.requirements.days("min_soft_delete_days")
        enabled = resource.prop("enableSoftDelete")
        if enabled is False:
            return self.failed(
                "soft delete is off: a deleted vault, key, secret or certificate is gone at once",
                observed={"enableSoftDelete": False},
                required=f"enableSoftDelete true, softDeleteRetentionInDays >= {minimum}",
                requirement=zone.requirement("min_soft_delete_days"),
            )
        if enabled is not None and enabled is not True:
            return self.unknown(f"a boolean enableSoftDelete (got {enabled!r})")
        days, days_observed = _retention(resource.prop("softDeleteRetentionInDays"))
        if days is None:
            return self.unknown(f"a whole number softDeleteRetentionInDays (got {days_observed!r})")
        observed = {"enableSoftDelete": _DEFAULT_ON if enabled is None else True,
                    "softDeleteRetentionInDays": days_observed}
        if days >= minimum:
            return self.passed(f"soft delete keeps deleted items for {days} days (zone minimum {minimum})",
                               observed=observed)
        message, note = beyond_service(
            f"soft delete keeps deleted items for {days} days; zone {zone.name} requires at least {minimum}",
            "min_soft_delete_days", minimum, KEY_VAULT_SOFT_DELETE)
        return self.failed(
            message,
            observed=observed,
            required=f"softDeleteRetentionInDays >= {minimum}",
            requirement=zone.requirement("min_soft_delete_days"),
            severity=Severity.LOW,
            **note,
        )


def _retention(value: Any) -> tuple[int | None, Any]:
    """The retention in days and how to report it; (None, value) when ARM sent something unexpected."""
    if value is None:
        return DEFAULT_SOFT_DELETE_DAYS, _DEFAULT_DAYS
    if isinstance(value, bool) or not isinstance(value, int):
        return None, value
    return value, value
