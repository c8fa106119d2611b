"""How much a Key Vault document tells (shared by the KV checks).

Key Vault's GET and list-by-subscription return the vault's configuration under `properties`
(always with `tenantId`, `sku` and `vaultUri`). The generic resources list returns only id, name,
location and tags. Inside a fully read document ARM leaves out settings that were never set:
`enablePurgeProtection` until purge protection is turned on (it can never be turned off),
`enableSoftDelete` and `softDeleteRetentionInDays` on vaults that kept the service defaults
(soft delete on, 90 days). So an absent setting means its default only when the properties
were read; otherwise it means nothing, and the checks say unknown.
"""

from __future__ import annotations

from collections.abc import Mapping

from scanner.model import Inventory, ReadGap, Resource

KEY_VAULT = "Microsoft.KeyVault/vaults"
DEFAULT_SOFT_DELETE_DAYS = 90  # the service default and maximum
_ALWAYS_RETURNED = ("tenantId", "sku", "vaultUri")
# The settings the KV checks judge: a document that states one of them was read, whatever else it omits.
_JUDGED_SETTINGS = ("enablePurgeProtection", "enableSoftDelete", "softDeleteRetentionInDays")

GUIDANCE_SECTION = (
    "Azure Key Vault automatically provides features to help you maintain availability and prevent data "
    "loss. Back up secrets (Azure Key Vault Backup) only if you have a critical business justification."
)
FAILOVER_GUIDANCE = (
    "Key Vault maintains availability in disaster scenarios and will automatically fail over requests to a "
    "paired region without any intervention from a user. For more information, see Azure Key Vault "
    "availability and redundancy. As an alternative, you may consider storing secrets and other AKV "
    "artifacts in a secondary key vault with appropriate permissions. Note that this pattern may be suited "
    "for applications which require the vault to be co-located in the same region in which the app exists."
)
SOFT_DELETE_DOC = "https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview"
RECOVERY_DOC = "https://learn.microsoft.com/azure/key-vault/general/key-vault-recovery"
AVAILABILITY_DOC = "https://learn.microsoft.com/azure/key-vault/general/disaster-recovery-guidance"


def properties_read(vault: Resource) -> bool:
    props = vault.raw.get("properties")
    return isinstance(props, Mapping) and any(key in props for key in (*_ALWAYS_RETURNED, *_JUDGED_SETTINGS))


def read_gap(vault: Resource, inventory: Inventory) -> ReadGap | None:
    """The collector's record of why the vault's configuration is missing, if it kept one."""
    return inventory.gap(vault, KEY_VAULT) or inventory.gap(vault, "properties")
