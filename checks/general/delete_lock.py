from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks.general._types import DATA_STORES, LOCKS
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource, lock_scope_of
from scanner.policy import Strategy

PROTECTING_LEVELS = {"cannotdelete": "CanNotDelete", "readonly": "ReadOnly"}


class DataStoreDeleteLockCheck(Check):
    id = "GEN-001"
    title = "Data store is not protected by a delete lock"
    service = "General"
    resource_type = DATA_STORES
    severity = Severity.MEDIUM
    rationale = (
        "The most common disaster is a mistake: a deleted storage account, Cosmos DB account, SQL server "
        "or key vault takes its replicas, geo-replicas and (for most services) its backups with it. A "
        "CanNotDelete or ReadOnly management lock on the resource, its resource group or its subscription "
        "makes deletion a deliberate two-step act."
    )
    guidance = (
        "Backup Strategies: Backup and Restore: In this approach, the database application is restored from the "
        "last backup copy before the disaster. This approach is commonly used following data corruption or "
        "accidental deletion.\n\n"
        "Azure Key Vault: Azure Key Vault automatically provides features to help you maintain availability "
        "and prevent data loss."
    )
    logic = {
        "redeploy": "not applicable: the zone's resources are rebuilt from code",
        "backup-restore": "fail when no CanNotDelete or ReadOnly lock covers the resource (resource, resource "
                          "group or subscription scope); unknown when locks could not be read",
        "warm-spare": "fail when no CanNotDelete or ReadOnly lock covers the resource; unknown when locks "
                      "could not be read",
        "hot-spare": "fail when no CanNotDelete or ReadOnly lock covers the resource; unknown when locks "
                     "could not be read",
    }
    remediation = Remediation(
        summary="Add a CanNotDelete lock to the resource (or to its resource group). Prefer CanNotDelete over "
                "ReadOnly: a ReadOnly lock also blocks management operations such as listing storage keys.",
        portal="Resource (or resource group) > Settings > Locks > Add > Lock type: Delete.",
        cli="az lock create --name do-not-delete --lock-type CanNotDelete --resource <resource-id>",
        iac="Bicep: resource lock 'Microsoft.Authorization/locks@2020-05-01' = { scope: <resource>, "
            "name: 'do-not-delete', properties: { level: 'CanNotDelete' } }; Terraform: azurerm_management_lock "
            "with scope = <resource id>, lock_level = \"CanNotDelete\"",
    )
    references = (
        "https://learn.microsoft.com/azure/azure-resource-manager/management/lock-resources",
        "https://learn.microsoft.com/azure/storage/common/lock-account-resource",
    )

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if not zone.strategy.at_least(Strategy.BACKUP_RESTORE):
            return self.not_applicable(f"zone {zone.name} is {zone.strategy}: its resources are rebuilt from code")
        locks = ctx.inventory.locks_covering(resource)
        protecting = [lock for lock in locks if lock_level(lock).lower() in PROTECTING_LEVELS]
        if protecting:
            # A lock that was read is enough, even if locks at another scope could not be read.
            return self.passed(f"protected by {describe(protecting[0], resource)}",
                               observed=[describe(lock, resource) for lock in protecting])
        gap = ctx.inventory.gap(resource, LOCKS)
        if gap:
            return self.unknown("management locks covering the resource", gap)
        observed = [describe(lock, resource) for lock in locks] or "no lock"
        return self.failed(
            f"{resource.name} can be deleted in one step: no CanNotDelete or ReadOnly lock on it, its resource "
            f"group or its subscription (zone {zone.name}, {zone.strategy})",
            observed=observed,
            required="a CanNotDelete or ReadOnly lock at resource, resource-group or subscription scope",
            requirement=f"a delete lock ({zone.strategy}: backup-restore or stronger protects data from deletion)",
        )


def lock_level(lock: Mapping[str, Any]) -> str:
    """ARM puts the level under `properties`; SDK `as_dict()` output flattens it to the top."""
    props = lock.get("properties")
    level = props.get("level") if isinstance(props, Mapping) else None
    level = level or lock.get("level")
    return level if isinstance(level, str) else ""


def describe(lock: Mapping[str, Any], resource: Resource) -> str:
    scope = lock_scope_of(str(lock.get("id", ""))).lower()
    where = ("resource" if scope == resource.key
             else "subscription" if "/resourcegroups/" not in scope
             else "resource group" if "/providers/" not in scope
             else "parent resource")
    return f"{lock_level(lock) or 'unknown-level'} lock {lock.get('name') or '?'} at {where} scope"
