"""Key Vault documents for the KV tests, built on Microsoft's GET example (which, like many real
vaults, reports neither enableSoftDelete, softDeleteRetentionInDays nor enablePurgeProtection)."""

from __future__ import annotations

from typing import Any

from tests.helpers import arm_id, example_body

KEY_VAULT = "Microsoft.KeyVault/vaults"


def vault(name: str = "kv-sales-weu", *, location: str = "westeurope", tags: dict[str, str] | None = None,
          **properties: Any) -> dict[str, Any]:
    body = example_body("keyvault/getVault.json")
    body.update(id=arm_id(KEY_VAULT, name), name=name, location=location, tags=tags or {})
    body["properties"]["vaultUri"] = f"https://{name}.vault.azure.net"
    body["properties"].update(properties)
    return body


def listed_without_properties() -> dict[str, Any]:
    """A vault as the generic resources list returns it: id, name, location and tags only."""
    return example_body("keyvault/listVault.json")["value"][0]
