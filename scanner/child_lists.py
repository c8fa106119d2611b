"""The child lists a live scan reads per parent resource, and what a foreign export leaves unread.

bcdr-scan's collector reads, for each parent, every child list a check needs (scanner/collect/collectors.py:
a vault's backup instances and policies, a SQL database's retention policies, ...). Whatever it could not
read is a ReadGap; an empty list it did read means "none". A foreign export (Azure PowerShell / PSRule,
an ARM list response, Azure CLI output) says nothing of the kind: a vault with no backup instances
nested under it may have none, or the tool may not export them. Such a list is therefore a read gap
(`unread_child_lists`), so that the checks that need it say unknown, never pass or fail on absent data.

A list counts as exported when the export holds a child of that type under the parent, or the file
holds children of that type under other parents of the same type (the tool evidently exports that
list, so an empty one means none).

The table mirrors the collector's `ChildSpec`s (tests/scanner/test_child_lists.py keeps them in step);
the predicates that decide whether a list applies to a parent live here so both share them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from scanner import backup
from scanner.model import Inventory, ReadGap, Resource, parent_id_of

Doc = Mapping[str, Any]
INSTANCE_FAILOVER_GROUP = "Microsoft.Sql/locations/instanceFailoverGroups"
MANAGED_INSTANCE = "Microsoft.Sql/managedInstances"


def always(_: Doc) -> bool:
    return True


def name_of(doc: Doc) -> str:
    """The last segment of a document's id: its name as ARM's operations take it."""
    return str(doc.get("id", "")).rstrip("/").rsplit("/", 1)[-1]


def has_blob_service(account: Doc) -> bool:
    return str(account.get("kind") or "").lower() != "filestorage"


def is_user_database(database: Doc) -> bool:
    """`master` has no replication links or backup retention policies of its own."""
    return name_of(database).lower() != "master"


def lacks_redundancy_settings(vault: Doc) -> bool:
    """Vault documents of older api-versions carry no redundancySettings: the backup storage config
    says the same (redundancy, cross-region restore)."""
    props = vault.get("properties")
    settings = props.get("redundancySettings") if isinstance(props, Mapping) else None
    return not (isinstance(settings, Mapping) and settings.get("standardTierStorageRedundancy"))


def lacks_soft_delete_settings(vault: Doc) -> bool:
    props = vault.get("properties")
    security = props.get("securitySettings") if isinstance(props, Mapping) else None
    return not (isinstance(security, Mapping) and isinstance(security.get("softDeleteSettings"), Mapping))


@dataclass(frozen=True)
class ChildList:
    parent_type: str
    type: str
    when: Callable[[Doc], bool] = always


_SQL_DATABASE = "Microsoft.Sql/servers/databases"
_MANAGED_DATABASE = "Microsoft.Sql/managedInstances/databases"
CHILD_LISTS: tuple[ChildList, ...] = (
    ChildList("Microsoft.Storage/storageAccounts", "Microsoft.Storage/storageAccounts/blobServices", has_blob_service),
    ChildList("Microsoft.Storage/storageAccounts", "Microsoft.Storage/storageAccounts/objectReplicationPolicies",
              has_blob_service),
    ChildList("Microsoft.Sql/servers", _SQL_DATABASE),
    ChildList("Microsoft.Sql/servers", "Microsoft.Sql/servers/failoverGroups"),
    ChildList(_SQL_DATABASE, f"{_SQL_DATABASE}/replicationLinks", is_user_database),
    ChildList(_SQL_DATABASE, f"{_SQL_DATABASE}/backupShortTermRetentionPolicies", is_user_database),
    ChildList(_SQL_DATABASE, f"{_SQL_DATABASE}/backupLongTermRetentionPolicies", is_user_database),
    ChildList("Microsoft.Synapse/workspaces", "Microsoft.Synapse/workspaces/sqlPools"),
    ChildList("Microsoft.Synapse/workspaces/sqlPools", "Microsoft.Synapse/workspaces/sqlPools/geoBackupPolicies"),
    ChildList(backup.BACKUP_VAULT, backup.BACKUP_INSTANCE),
    ChildList(backup.BACKUP_VAULT, backup.BACKUP_POLICY),
    ChildList(backup.RS_VAULT, backup.RS_PROTECTED_ITEM),
    ChildList(backup.RS_VAULT, backup.RS_POLICY),
    ChildList(backup.RS_VAULT, backup.RS_STORAGE_CONFIG, lacks_redundancy_settings),
    ChildList(backup.RS_VAULT, backup.RS_VAULT_CONFIG, lacks_soft_delete_settings),
    ChildList(MANAGED_INSTANCE, _MANAGED_DATABASE),
    ChildList(_MANAGED_DATABASE, f"{_MANAGED_DATABASE}/backupShortTermRetentionPolicies"),
    ChildList(_MANAGED_DATABASE, f"{_MANAGED_DATABASE}/backupLongTermRetentionPolicies"),
    ChildList("Microsoft.EventHub/namespaces", "Microsoft.EventHub/namespaces/disasterRecoveryConfigs"),
    ChildList("Microsoft.Kusto/clusters", "Microsoft.Kusto/clusters/attachedDatabaseConfigurations"),
)
_LISTS_BY_PARENT: dict[str, list[ChildList]] = defaultdict(list)
for _entry in CHILD_LISTS:
    _LISTS_BY_PARENT[_entry.parent_type.lower()].append(_entry)
_CHILD_TYPES = frozenset(entry.type.lower() for entry in CHILD_LISTS)

_WHY = "an export holds only the child lists its tool writes"


def unread_child_lists(inventory: Inventory, origin: Mapping[str, str]) -> list[ReadGap]:
    """A gap per child list that the export a parent came from does not hold. `origin` maps the
    lower-cased id of each resource read from an export to the file it came from; resources of
    bcdr-scan snapshots are not in it (their collector recorded its own gaps)."""
    if not origin:
        return []
    present: set[tuple[str, str]] = set()  # (ancestor id, child type) for every child held
    carried: set[tuple[str, str, str]] = set()  # (file, parent type, child type) the file holds children of
    for resource in inventory.resources:
        if resource.type_key in _CHILD_TYPES:
            for ancestor in _ancestors(resource.id):
                present.add((ancestor.lower(), resource.type_key))
                file = origin.get(ancestor.lower())
                if file and origin.get(resource.key) == file and (parent := inventory.get(ancestor)):
                    carried.add((file, parent.type_key, resource.type_key))
    gaps = [_gap(parent, entry, file) for parent, file in _exported(inventory, origin)
            for entry in _LISTS_BY_PARENT.get(parent.type_key, ())
            if entry.when(parent.raw) and (parent.key, entry.type.lower()) not in present
            and (file, parent.type_key, entry.type.lower()) not in carried]
    return gaps + _unread_failover_groups(inventory, origin)


def _exported(inventory: Inventory, origin: Mapping[str, str]) -> Iterable[tuple[Resource, str]]:
    for resource in inventory.resources:
        file = origin.get(resource.key)
        if file is not None:
            yield resource, file


def _ancestors(resource_id: str) -> Iterable[str]:
    parent = parent_id_of(resource_id)
    while parent:
        yield parent
        parent = parent_id_of(parent)


def _gap(parent: Resource, entry: ChildList, file: str) -> ReadGap:
    return ReadGap(parent.id, entry.type, f"not in the export {file}: it holds no {entry.type} of {parent.name}; "
                                          f"{_WHY}, so whether there are any is unknown")


def _unread_failover_groups(inventory: Inventory, origin: Mapping[str, str]) -> list[ReadGap]:
    """Instance failover groups live under a region, not under the managed instance (the collector lists
    them per resource group and region): an export of managed instances holding none, in a subscription
    where no other file holds any either, leaves them unread there."""
    groups = list(inventory.of_type(INSTANCE_FAILOVER_GROUP))
    held = {group.subscription_id for group in groups}
    carried = {origin.get(group.key) for group in groups}
    unread: dict[str, str] = {}
    for instance in inventory.of_type(MANAGED_INSTANCE):
        file, sub = origin.get(instance.key), instance.subscription_id
        if file is not None and file not in carried and sub and sub not in held:
            unread.setdefault(sub, file)
    return [ReadGap(f"/subscriptions/{sub}", INSTANCE_FAILOVER_GROUP,
                    f"not in the export {file}: it holds managed instances but no instance failover groups of "
                    f"their subscription; {_WHY}, so whether there are any is unknown")
            for sub, file in unread.items()]
