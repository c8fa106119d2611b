"""What a live scan reads, as a table: one entry per resource type.

A `TypeSpec` is listed once per subscription (subscription-level list calls only). Its
`children` are read per parent document: a `ChildSpec` stores configuration as child
resources (blob service, SQL databases, retention policies...), an `EnrichSpec` re-reads the
parent with more in it (`$expand=geoReplicationStats`). Adding a type is adding an entry.

Types with an azure-mgmt SDK in the dependencies use it; the analytics services use the generic
ARM request path of the same SDK pipeline (see docs/live-scanning.md, "Dependencies").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from scanner.backup import (
    BACKUP_INSTANCE,
    BACKUP_POLICY,
    BACKUP_VAULT,
    RS_POLICY,
    RS_PROTECTED_ITEM,
    RS_STORAGE_CONFIG,
    RS_VAULT,
    RS_VAULT_CONFIG,
    reads_protection_route,
)
from scanner.child_lists import (
    always,
    has_blob_service,
    is_user_database,
    lacks_redundancy_settings,
    lacks_soft_delete_settings,
    name_of,
)
from scanner.collect.arm import arm_list, sdk_items
from scanner.collect.clients import SubscriptionClients
from scanner.regions import normalize_region

Doc = Mapping[str, Any]
ListFn = Callable[[SubscriptionClients], Iterable[Any]]
ChildFn = Callable[[SubscriptionClients, Doc], Iterable[Any]]


@dataclass(frozen=True)
class EnrichSpec:
    """Re-read the parent document with more detail; `data` names what a failure leaves unread."""

    data: str
    fetch: Callable[[SubscriptionClients, Doc], Any]
    when: Callable[[Doc], bool] = always


@dataclass(frozen=True)
class ChildSpec:
    type: str
    fetch: ChildFn
    when: Callable[[Doc], bool] = always
    children: tuple[ChildSpec | EnrichSpec, ...] = ()


@dataclass(frozen=True)
class TypeSpec:
    type: str
    list: ListFn
    children: tuple[ChildSpec | EnrichSpec, ...] = ()
    via: str = ""  # the SDK client or REST api-version that reads it (documentation)


# --- ids --------------------------------------------------------------------------------------
def segment(doc: Doc, name: str) -> str:
    """The name after `/<name>/` in the document's id (`segment(db, "servers")` = its server)."""
    parts = str(doc.get("id", "")).split("/")
    lowered = [p.lower() for p in parts]
    index = lowered.index(name.lower())
    return parts[index + 1]


def _rg(doc: Doc) -> str:
    return segment(doc, "resourceGroups")


# --- generic ARM (analytics services) ---------------------------------------------------------
def arm_type(resource_type: str, api_version: str, children: tuple[ChildSpec | EnrichSpec, ...] = ()) -> TypeSpec:
    def fetch(clients: SubscriptionClients) -> Iterable[Any]:
        return arm_list(clients.arm, f"/subscriptions/{clients.subscription_id}/providers/{resource_type}",
                        api_version)

    return TypeSpec(resource_type, fetch, children, via=f"ARM REST api-version {api_version}")


def arm_child(child_type: str, api_version: str, children: tuple[ChildSpec | EnrichSpec, ...] = ()) -> ChildSpec:
    collection = child_type.rsplit("/", 1)[-1]

    def fetch(clients: SubscriptionClients, parent: Doc) -> Iterable[Any]:
        return arm_list(clients.arm, f"{parent['id']}/{collection}", api_version)

    return ChildSpec(child_type, fetch, children=children)


# --- storage ----------------------------------------------------------------------------------
def _sku(doc: Doc) -> str:
    sku = doc.get("sku")
    return str(sku.get("name") or "").upper() if isinstance(sku, Mapping) else ""


def is_geo_replicated(account: Doc) -> bool:
    """GRS, RA-GRS, GZRS and RA-GZRS accounts have geoReplicationStats; ARM refuses the expand
    for the others."""
    sku = _sku(account)
    return "GRS" in sku or "GZRS" in sku


STORAGE = TypeSpec(
    "Microsoft.Storage/storageAccounts",
    lambda c: sdk_items(c.storage.storage_accounts.list()),
    children=(
        EnrichSpec("geoReplicationStats",
                   lambda c, a: c.storage.storage_accounts.get_properties(_rg(a), name_of(a),
                                                                          expand="geoReplicationStats"),
                   when=is_geo_replicated),
        ChildSpec("Microsoft.Storage/storageAccounts/blobServices",
                  lambda c, a: [c.storage.blob_services.get_service_properties(_rg(a), name_of(a))],
                  when=has_blob_service),
        ChildSpec("Microsoft.Storage/storageAccounts/objectReplicationPolicies",
                  # Read for Data Lake (HNS) accounts too: the service documents no object replication
                  # there, but the inventory records what ARM says rather than what it should say.
                  lambda c, a: sdk_items(c.storage.object_replication_policies.list(_rg(a), name_of(a))),
                  when=has_blob_service),
        # Azure Backup instances protecting the account, whichever vault holds them (scanner/backup.py).
        ChildSpec(BACKUP_INSTANCE,
                  lambda c, a: sdk_items(c.dataprotection.backup_instances_extension_routing.list(str(a["id"]))),
                  when=reads_protection_route),
    ),
    via="azure-mgmt-storage",
)

COSMOS = TypeSpec("Microsoft.DocumentDB/databaseAccounts",
                  lambda c: sdk_items(c.cosmos.database_accounts.list()), via="azure-mgmt-cosmosdb")


# --- SQL --------------------------------------------------------------------------------------
def _db_args(db: Doc) -> tuple[str, str, str]:
    return _rg(db), segment(db, "servers"), name_of(db)


SQL = TypeSpec(
    "Microsoft.Sql/servers",
    lambda c: sdk_items(c.sql.servers.list()),
    children=(
        ChildSpec(
            "Microsoft.Sql/servers/databases",
            lambda c, s: sdk_items(c.sql.databases.list_by_server(_rg(s), name_of(s))),
            children=(
                ChildSpec("Microsoft.Sql/servers/databases/replicationLinks",
                          lambda c, d: sdk_items(c.sql.replication_links.list_by_database(*_db_args(d))),
                          when=is_user_database),
                ChildSpec("Microsoft.Sql/servers/databases/backupShortTermRetentionPolicies",
                          lambda c, d: sdk_items(
                              c.sql.backup_short_term_retention_policies.list_by_database(*_db_args(d))),
                          when=is_user_database),
                ChildSpec("Microsoft.Sql/servers/databases/backupLongTermRetentionPolicies",
                          lambda c, d: sdk_items(c.sql.long_term_retention_policies.list_by_database(*_db_args(d))),
                          when=is_user_database),
            ),
        ),
        ChildSpec("Microsoft.Sql/servers/failoverGroups",
                  lambda c, s: sdk_items(c.sql.failover_groups.list_by_server(_rg(s), name_of(s)))),
    ),
    via="azure-mgmt-sql",
)

KEY_VAULT = TypeSpec("Microsoft.KeyVault/vaults",
                     lambda c: sdk_items(c.keyvault.vaults.list_by_subscription()), via="azure-mgmt-keyvault")

# --- analytics (issue 6): generic ARM GETs with the REST API's own api-versions ----------------
DATA_FACTORY = arm_type("Microsoft.DataFactory/factories", "2018-06-01")
SYNAPSE = arm_type(
    "Microsoft.Synapse/workspaces", "2021-06-01",
    children=(arm_child("Microsoft.Synapse/workspaces/sqlPools", "2021-06-01",
                        children=(arm_child("Microsoft.Synapse/workspaces/sqlPools/geoBackupPolicies",
                                            "2021-06-01"),)),),
)
# 2026-01-01 is the first stable version that returns `computeMode` (Serverless workspaces have no
# DBFS root storage account, DBW-001).
DATABRICKS = arm_type("Microsoft.Databricks/workspaces", "2026-01-01")
MACHINE_LEARNING = arm_type("Microsoft.MachineLearningServices/workspaces", "2024-04-01")


# --- Azure Backup (issue 14): vaults, what they protect and with which policy -----------------
def _rs_args(vault: Doc) -> tuple[str, str]:
    return name_of(vault), _rg(vault)  # Recovery Services operations take the vault name first


BACKUP_VAULTS = TypeSpec(
    BACKUP_VAULT,
    lambda c: sdk_items(c.dataprotection.backup_vaults.get_in_subscription()),
    children=(
        ChildSpec(BACKUP_INSTANCE, lambda c, v: sdk_items(c.dataprotection.backup_instances.list(_rg(v), name_of(v)))),
        ChildSpec(BACKUP_POLICY, lambda c, v: sdk_items(c.dataprotection.backup_policies.list(_rg(v), name_of(v)))),
    ),
    via="azure-mgmt-dataprotection",
)
RECOVERY_SERVICES_VAULTS = TypeSpec(
    RS_VAULT,
    lambda c: sdk_items(c.recoveryservices.vaults.list_by_subscription_id()),
    children=(
        # One unfiltered list (GET) per vault: SQL and SAP HANA in VMs, Azure Files, VMs.
        ChildSpec(RS_PROTECTED_ITEM,
                  lambda c, v: sdk_items(c.recoveryservicesbackup.backup_protected_items.list(*_rs_args(v)))),
        # Their policies: whether an Azure Files item keeps a vault tier (vaultRetentionPolicy).
        ChildSpec(RS_POLICY, lambda c, v: sdk_items(c.recoveryservicesbackup.backup_policies.list(*_rs_args(v)))),
        ChildSpec(RS_STORAGE_CONFIG,
                  lambda c, v: [c.recoveryservicesbackup.backup_resource_storage_configs_non_crr.get(*_rs_args(v))],
                  when=lacks_redundancy_settings),
        ChildSpec(RS_VAULT_CONFIG,
                  lambda c, v: [c.recoveryservicesbackup.backup_resource_vault_configs.get(*_rs_args(v))],
                  when=lacks_soft_delete_settings),
    ),
    via="azure-mgmt-recoveryservices, azure-mgmt-recoveryservicesbackup",
)

TYPES: tuple[TypeSpec, ...] = (
    STORAGE, COSMOS, SQL, KEY_VAULT, DATA_FACTORY, SYNAPSE, DATABRICKS, MACHINE_LEARNING,
    BACKUP_VAULTS, RECOVERY_SERVICES_VAULTS,
)

# --- the rest of the data landing zone (issue 15) ----------------------------------------------
# SQL Managed Instance through azure-mgmt-sql (already a dependency); the others through the generic
# ARM path with the REST API versions of Microsoft's vendored examples (README, "Dependencies").
MANAGED_INSTANCES = "managed-instances"
_RESOURCE_GROUP = re.compile(r"^/subscriptions/[^/]+/resourceGroups/([^/]+)/", re.IGNORECASE)


def _managed_instances(clients: SubscriptionClients) -> list[dict[str, Any]]:
    """The subscription's managed instances, listed once and shared by the two types that need them."""
    return clients.memo(MANAGED_INSTANCES, lambda: list(sdk_items(clients.sql.managed_instances.list())))


def _managed_db_args(db: Doc) -> tuple[str, str, str]:
    return _rg(db), segment(db, "managedInstances"), name_of(db)


def _instance_failover_groups(clients: SubscriptionClients) -> Iterable[Any]:
    """Instance failover groups live at `resourceGroups/<g>/providers/Microsoft.Sql/locations/<region>`,
    not under an instance: one list per (resource group, region) that holds a managed instance."""
    for group, location in sorted({place for mi in _managed_instances(clients) if (place := _placed(mi))}):
        yield from sdk_items(clients.sql.instance_failover_groups.list_by_location(group, location))


def _placed(doc: Doc) -> tuple[str, str] | None:
    """(resource group, region) of a document, or None when its id or location is not usable."""
    match = _RESOURCE_GROUP.match(str(doc.get("id", "")))
    region = normalize_region(doc.get("location"))
    return (match.group(1), region) if match and region else None


SQL_MANAGED_INSTANCE = TypeSpec(
    "Microsoft.Sql/managedInstances",
    _managed_instances,
    children=(
        ChildSpec(
            "Microsoft.Sql/managedInstances/databases",
            lambda c, mi: sdk_items(c.sql.managed_databases.list_by_instance(_rg(mi), name_of(mi))),
            children=(
                ChildSpec("Microsoft.Sql/managedInstances/databases/backupShortTermRetentionPolicies",
                          lambda c, d: sdk_items(c.sql.managed_backup_short_term_retention_policies
                                                 .list_by_database(*_managed_db_args(d)))),
                ChildSpec("Microsoft.Sql/managedInstances/databases/backupLongTermRetentionPolicies",
                          lambda c, d: sdk_items(c.sql.managed_instance_long_term_retention_policies
                                                 .list_by_database(*_managed_db_args(d)))),
            ),
        ),
    ),
    via="azure-mgmt-sql",
)
SQL_INSTANCE_FAILOVER_GROUPS = TypeSpec("Microsoft.Sql/locations/instanceFailoverGroups",
                                        _instance_failover_groups, via="azure-mgmt-sql (per resource group and region)")

POSTGRESQL_FLEXIBLE = arm_type("Microsoft.DBforPostgreSQL/flexibleServers", "2025-08-01")
MYSQL_FLEXIBLE = arm_type("Microsoft.DBforMySQL/flexibleServers", "2024-12-30")
EVENT_HUBS = arm_type("Microsoft.EventHub/namespaces", "2026-01-01",
                      children=(arm_child("Microsoft.EventHub/namespaces/disasterRecoveryConfigs", "2026-01-01"),))
# Dedicated clusters: EVH-003 reads a cluster's capacity units (availability zones need at least three).
EVENT_HUBS_CLUSTERS = arm_type("Microsoft.EventHub/clusters", "2026-01-01")
PURVIEW = arm_type("Microsoft.Purview/accounts", "2021-12-01")
# The attached database configurations are the follower side, read on each cluster with a GET. The
# leader-side follower list (`listFollowerDatabases`) is a POST and is never called.
DATA_EXPLORER = arm_type("Microsoft.Kusto/clusters", "2024-04-13",
                         children=(arm_child("Microsoft.Kusto/clusters/attachedDatabaseConfigurations",
                                             "2024-04-13"),))

DATA_LANDING_ZONE_TYPES: tuple[TypeSpec, ...] = (
    SQL_MANAGED_INSTANCE, SQL_INSTANCE_FAILOVER_GROUPS, POSTGRESQL_FLEXIBLE, MYSQL_FLEXIBLE, EVENT_HUBS,
    EVENT_HUBS_CLUSTERS, PURVIEW, DATA_EXPLORER,
)
TYPES = (*TYPES, *DATA_LANDING_ZONE_TYPES)
