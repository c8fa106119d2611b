"""The blob service (`blobServices/default`) of a storage account, shared by the STG checks that
judge its data-protection settings (soft delete, container soft delete, versioning)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scanner.check import Check, EvaluationContext, Result
from scanner.model import Inventory, ReadGap, Resource

BLOB_SERVICES = "Microsoft.Storage/storageAccounts/blobServices"
# Accounts of these kinds have no blob service at all (Azure Files only).
_NO_BLOB_KINDS = frozenset({"filestorage"})


# Not frozen, for speed (see scanner/recovery/model.py); nothing changes it once made.
@dataclass(slots=True, unsafe_hash=True)
class BlobServiceLookup:
    """The account's `default` blob service, or why it is not there."""

    service: Resource | None
    gap: ReadGap | None

    @property
    def properties(self) -> Mapping[str, Any]:
        return self.service.properties if self.service else {}

    @property
    def properties_read(self) -> bool:
        """ARM always returns the blob service's `properties` object; without it nothing was read, and an
        absent policy cannot be taken for the service default (off)."""
        return self.service is not None and isinstance(self.service.raw.get("properties"), Mapping)


def has_blob_service(account: Resource) -> bool:
    return (account.kind or "").lower() not in _NO_BLOB_KINDS


def blob_service(account: Resource, inventory: Inventory) -> BlobServiceLookup:
    """Every blob-capable account has exactly one blob service named `default`; its absence means
    it was not read (the caller reports unknown), never that the settings are off."""
    children = inventory.children(account, BLOB_SERVICES)
    service = next((c for c in children if c.name.lower() == "default"), children[0] if children else None)
    if service is not None:
        return BlobServiceLookup(service, None)
    # The collector may record the gap on the account (or wider) or on the child id itself.
    gap = inventory.gap(account, BLOB_SERVICES) or inventory.gap(f"{account.id}/blobServices/default", BLOB_SERVICES)
    return BlobServiceLookup(None, gap)


def missing_blob_service_text(account: Resource) -> str:
    return f"blob service properties ({BLOB_SERVICES} 'default' of {account.name})"


def judge_retention(check: Check, account: Resource, ctx: EvaluationContext, policy_key: str, noun: str) -> Result:
    """Shared verdict of the two soft-delete checks: `policy_key` is `deleteRetentionPolicy`
    (blobs) or `containerDeleteRetentionPolicy` (containers) of the blob service."""
    zone = ctx.zone
    if not has_blob_service(account):
        return check.not_applicable(f"{account.kind} account has no blob service")
    minimum = zone.requirements.days("min_soft_delete_days")
    if minimum <= 0:
        return check.not_applicable(f"zone {zone.name} sets min_soft_delete_days=0")
    lookup = blob_service(account, ctx.inventory)
    if lookup.service is None:
        return check.unknown(missing_blob_service_text(account), lookup.gap)
    if not lookup.properties_read:
        return check.unknown(f"properties of the blob service of {account.name} ({policy_key})")
    policy = lookup.properties.get(policy_key)
    if policy is not None and not isinstance(policy, Mapping):
        return check.unknown(f"a well-formed {policy_key} on the blob service")
    required = f"{noun} soft delete enabled, retained at least {minimum} days"
    requirement = zone.requirement("min_soft_delete_days")
    if not policy or policy.get("enabled") is not True:
        # ARM omits the policy on accounts where it was never configured: the service default is off.
        observed = "disabled" if policy else f"not configured ({policy_key} absent, the service default is off)"
        return check.failed(
            f"{noun} soft delete is off on {account.name}: a deleted {noun} is gone for good; "
            f"zone {zone.name} requires at least {minimum} days to recover it",
            observed=observed, required=required, requirement=requirement, setting=policy_key)
    days = policy.get("days")
    if isinstance(days, bool) or not isinstance(days, int):
        return check.unknown(f"{policy_key}.days (retention of an enabled policy)")
    if days < minimum:
        return check.failed(
            f"{noun} soft delete on {account.name} keeps deleted {noun}s {days} days; zone {zone.name} "
            f"requires at least {minimum} days",
            observed=f"enabled, {days} days", required=required, requirement=requirement, setting=policy_key)
    return check.passed(f"{noun} soft delete keeps deleted {noun}s {days} days (at least {minimum})",
                        observed=f"enabled, {days} days", required_days=minimum)
