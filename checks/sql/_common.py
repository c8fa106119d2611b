"""What the SQL checks share: which databases count, and where a database's DR configuration lives.

A database's failover groups are children of its *server* (the group lists the database ids it
holds); its geo-replication links and backup retention policies are children of the database.
Failover groups and links may legitimately not exist, so their absence means "none" unless a
read gap covers them; the retention policies always exist, so their absence means "not read".
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from scanner.check import Check, Result
from scanner.errors import one_line
from scanner.model import Inventory, ReadGap, Resource, parent_id_of
from scanner.regions import normalize_region

DATABASE = "Microsoft.Sql/servers/databases"
FAILOVER_GROUP = "Microsoft.Sql/servers/failoverGroups"
REPLICATION_LINK = "Microsoft.Sql/servers/databases/replicationLinks"
SHORT_TERM_RETENTION = "Microsoft.Sql/servers/databases/backupShortTermRetentionPolicies"
LONG_TERM_RETENTION = "Microsoft.Sql/servers/databases/backupLongTermRetentionPolicies"

SERVICE = "Azure SQL"

# Quoted from the guidance's "Azure SQL Database" section (the whole section: it defers to the
# service's business-continuity overview, which the checks turn into verdicts).
GUIDANCE_SQL = (
    "Azure SQL Database: For an overview of business continuity with Azure SQL Database, see "
    "Overview of business continuity with Azure SQL Database."
)

# Replication link kinds that keep a live copy of the database on another server. NAMED links are
# Hyperscale named replicas: read scale-out in the same region, not a DR copy.
_GEO_LINK_TYPES = frozenset({"geo", "standby"})
# Roles of a database copy in progress (CREATE DATABASE AS COPY OF): not a standing replica.
_COPY_ROLES = frozenset({"source", "copy"})

# Service tiers that can be made zone redundant (Premium and Business Critical everywhere with
# availability zones, General Purpose in most of them, Hyperscale at creation).
ZONE_CAPABLE_TIERS = frozenset({"premium", "businesscritical", "generalpurpose", "hyperscale"})
_TIER_BY_SKU_PREFIX = {"gp": "GeneralPurpose", "bc": "BusinessCritical", "hs": "Hyperscale"}
_NONZERO = re.compile(r"[1-9]")


class SqlDatabaseCheck(Check):
    """Base of the SQL checks: user databases only (`master` and other system databases are skipped)."""

    service: ClassVar[str] = SERVICE
    resource_type: ClassVar[str] = DATABASE

    def applies_to(self, resource: Resource) -> bool:
        return is_user_database(resource)

    def unknown_replicas(self, replicas: GeoReplicas) -> Result | None:
        """Unknown when no copy was proven and a read gap or an unrecorded partner region may hide one."""
        if replicas.copies:
            return None
        if replicas.gap:
            return self.unknown("the failover groups of the server or the replication links of the database",
                                replicas.gap)
        if replicas.undecided:
            return self.unknown(f"the partner region of {', '.join(replicas.undecided)}")
        return None


def is_user_database(database: Resource) -> bool:
    """False for `master` and other system databases (kind `v12.0,system`, tier `System`)."""
    if database.name.lower() == "master":
        return False
    kind = database.kind if isinstance(database.kind, str) else ""
    if "system" in kind.lower():
        return False
    return str((database.sku or {}).get("tier") or "").lower() != "system"


def server_id(database: Resource) -> str:
    return database.parent_id or ""


# --- failover groups and geo-replication links ----------------------------------------------

# Not frozen, for speed (see scanner/recovery/model.py); nothing changes it once made.
@dataclass(slots=True, unsafe_hash=True)
class Children:
    """Child resources found, and the read gap (if any) that may hide more of them."""

    items: tuple[Resource, ...]
    gap: ReadGap | None = None


def failover_groups_of(inventory: Inventory, database: Resource) -> Children:
    """The failover groups of the database's server that list this database."""
    return inventory.per_resource("sql:failover-groups", database, _failover_groups_of)


def _failover_groups_of(inventory: Inventory, database: Resource) -> Children:
    server = server_id(database)
    groups = tuple(g for g in inventory.children(server, FAILOVER_GROUP) if _lists_database(g, database))
    return Children(groups, inventory.gap(server, FAILOVER_GROUP))


def replication_links_of(inventory: Inventory, database: Resource) -> Children:
    return Children(tuple(inventory.children(database, REPLICATION_LINK)),
                    inventory.gap(database, REPLICATION_LINK))


def _lists_database(group: Resource, database: Resource) -> bool:
    members = group.prop("databases", default=[])
    if not isinstance(members, list):
        return False
    return any(isinstance(m, str) and m.lower() == database.key for m in members)


def partner_regions(group: Resource, inventory: Inventory | None = None) -> list[str | None]:
    """The regions of a failover group's partner servers (None where a partner's region is not known).

    A partner entry without `location` takes the region of the partner server when it was scanned.
    """
    partners = group.prop("partnerServers", default=[])
    if not isinstance(partners, list):
        return []
    return [_partner_region(p, inventory) if isinstance(p, Mapping) else None for p in partners]


def _partner_region(partner: Mapping[str, Any], inventory: Inventory | None) -> str | None:
    region = normalize_region(partner.get("location"))
    if region or inventory is None or not isinstance(partner.get("id"), str):
        return region
    server = inventory.get(partner["id"])
    return server.location if server is not None else None


def is_geo_link(link: Resource) -> bool:
    """A standing replica (geo or standby, either role), not a named replica or a copy in progress."""
    link_type = link.prop("linkType")
    role = link.prop("role")
    if isinstance(link_type, str) and link_type.lower() not in _GEO_LINK_TYPES:
        return False
    return not (isinstance(role, str) and role.lower() in _COPY_ROLES)


# Not frozen, for speed (see scanner/recovery/model.py); nothing changes it once made.
@dataclass(slots=True, unsafe_hash=True)
class GeoReplicas:
    """How a database is copied to another region.

    `copies` describe replicas proven to be in another region; `undecided` those whose region
    is not recorded; `same_region` those that stay in the database's region; `gap` is a read gap
    that may hide failover groups or links.
    """

    copies: tuple[str, ...]
    undecided: tuple[str, ...]
    same_region: tuple[str, ...]
    gap: ReadGap | None


def geo_replicas(inventory: Inventory, database: Resource) -> GeoReplicas:
    return inventory.per_resource("sql:geo-replicas", database, _geo_replicas)


def _geo_replicas(inventory: Inventory, database: Resource) -> GeoReplicas:
    home = database.location
    copies: list[str] = []
    undecided: list[str] = []
    same: list[str] = []
    groups = failover_groups_of(inventory, database)
    for group in groups.items:
        regions = partner_regions(group, inventory)
        label = f"failover group {group.name}"
        _sort_replica(label, regions, home, copies, undecided, same)
    links = replication_links_of(inventory, database)
    for link in links.items:
        if not is_geo_link(link):
            continue
        role = link.prop("role") or "unknown role"
        label = f"geo-replication link ({role}) with {link.prop('partnerServer') or link.name}"
        _sort_replica(label, [normalize_region(link.prop("partnerLocation"))], home, copies, undecided, same)
    if not copies:
        # ARM lists a group and a link under both partners, but an inventory may hold only the primary's
        # side: a group or link there that names this database still makes it the other half of a pair.
        for label, region in _recorded_by_partner(inventory, database):
            _sort_replica(label, [region], home, copies, undecided, same)
    return GeoReplicas(tuple(copies), tuple(undecided), tuple(same), groups.gap or links.gap)


def _recorded_by_partner(inventory: Inventory, database: Resource) -> list[tuple[str, str | None]]:
    """Failover groups of other servers that pair this database's server and list a database of the same name
    (a group's secondary databases keep their primary's names), and geo-replication links of other databases
    whose partner is this database; each with the region of the other side."""
    server = server_id(database).lower()
    groups_by_partner, links_by_partner = inventory.derived("sql.partner-index", _partner_index)
    found: list[tuple[str, str | None]] = []
    for group in groups_by_partner.get(server, ()):
        owner = group.parent_id or ""
        if owner.lower() != server and _lists_name(group, database.name):
            found.append((f"failover group {group.name} of server {owner.rsplit('/', 1)[-1]}",
                          _region_of(inventory, owner) or normalize_region(group.raw.get("location"))))
    server_name = server.rsplit("/", 1)[-1]
    candidates = [*links_by_partner.get(database.key, ()),
                  *links_by_partner.get(f"{server_name}/{database.name.lower()}", ())]
    for link in dict.fromkeys(candidates):
        owner_db = link.parent_id or ""
        if owner_db.lower() == database.key or not _links_to(link, database):
            continue
        owner_server = parent_id_of(owner_db) or ""
        found.append((f"geo-replication link of {owner_db.rsplit('/', 1)[-1]} on server "
                      f"{owner_server.rsplit('/', 1)[-1]}",
                      _region_of(inventory, owner_db) or _region_of(inventory, owner_server)))
    return found


def _partner_index(inventory: Inventory) -> tuple[dict[str, list[Resource]], dict[str, list[Resource]]]:
    """Failover groups by the servers they pair with, geo links by the database they point at (its id,
    or `server/database` names for API versions that give only names)."""
    groups: dict[str, list[Resource]] = defaultdict(list)
    for group in inventory.of_type(FAILOVER_GROUP):
        partners = group.prop("partnerServers", default=[])
        for partner in partners if isinstance(partners, list) else ():
            if isinstance(partner, Mapping) and partner.get("id"):
                groups[str(partner["id"]).lower()].append(group)
    links: dict[str, list[Resource]] = defaultdict(list)
    for link in inventory.of_type(REPLICATION_LINK):
        if not is_geo_link(link):
            continue
        partner_id = link.prop("partnerDatabaseId")
        if isinstance(partner_id, str) and partner_id:
            links[partner_id.lower()].append(link)
        else:
            name = f"{str(link.prop('partnerServer') or '').lower()}/{str(link.prop('partnerDatabase') or '').lower()}"
            links[name].append(link)
    return groups, links


def _lists_name(group: Resource, name: str) -> bool:
    members = group.prop("databases", default=[])
    return isinstance(members, list) and any(
        isinstance(m, str) and m.rstrip("/").rsplit("/", 1)[-1].lower() == name.lower() for m in members)


def _links_to(link: Resource, database: Resource) -> bool:
    partner_id = link.prop("partnerDatabaseId")
    if isinstance(partner_id, str) and partner_id:
        return partner_id.lower() == database.key
    # Older API versions name the partner only; SQL server names are globally unique.
    server_name = server_id(database).rsplit("/", 1)[-1].lower()
    return (str(link.prop("partnerServer") or "").lower() == server_name
            and str(link.prop("partnerDatabase") or "").lower() == database.name.lower())


def _region_of(inventory: Inventory, resource_id: str) -> str | None:
    found = inventory.get(resource_id) if resource_id else None
    return found.location if found is not None else None


def _sort_replica(label: str, regions: list[str | None], home: str | None, copies: list[str],
                  undecided: list[str], same: list[str]) -> None:
    elsewhere = [r for r in regions if r and r != home]
    if home and elsewhere:
        copies.append(f"{label} -> {', '.join(elsewhere)}")
    elif not home or not regions or None in regions:
        undecided.append(label)
    else:
        same.append(f"{label} (same region {home})")


# --- backups -----------------------------------------------------------------------------------

def backup_redundancy(database: Resource) -> tuple[str | None, str]:
    """The backup storage redundancy (Geo, GeoZone, Zone, Local) and the property it came from.

    The requested value wins: it is what the database is configured (or migrating) to.
    """
    for name in ("requestedBackupStorageRedundancy", "currentBackupStorageRedundancy"):
        value = database.prop(name)
        if isinstance(value, str) and value.strip():
            return value, name
    return None, "requestedBackupStorageRedundancy"


def retention_policy(inventory: Inventory, database: Resource, policy_type: str) -> Resource | None:
    """The database's `default` short- or long-term retention policy child, or None when not read."""
    found = inventory.children(database, policy_type)
    default = next((p for p in found if p.name.lower() == "default"), None)
    if default or found:
        return default or found[0]
    # Microsoft's REST example for the LTR policy list writes the id in a location-scoped form
    # (/subscriptions/s/providers/Microsoft.Sql/resourceGroups/g/servers/...); accept it too.
    return inventory.get(_provider_scoped_id(database, policy_type))


def _provider_scoped_id(database: Resource, policy_type: str) -> str:
    rg, sub = database.resource_group, database.subscription_id
    cut = database.key.find("/providers/microsoft.sql/")
    if not rg or not sub or cut < 0:
        return ""
    tail = database.id[cut + len("/providers/microsoft.sql/"):]
    child = policy_type.rsplit("/", 1)[-1]
    return f"/subscriptions/{sub}/providers/Microsoft.Sql/resourceGroups/{rg}/{tail}/{child}/default"


def duration_is_set(value: Any) -> bool:
    """An LTR retention (`P12W`, `P5Y`) keeps backups; unset, empty and zero (`PT0S`) do not."""
    return isinstance(value, str) and bool(_NONZERO.search(value))


# --- zone redundancy ---------------------------------------------------------------------------

def service_tier(database: Resource) -> str | None:
    """`GeneralPurpose`, `Standard`, ... from the SKU (or `currentSku`, or the SKU name's prefix), else from
    `properties.edition`: API versions before the SKU model (2014-04-01, which Azure PowerShell exports
    still carry) name the tier there, with the same values."""
    for sku in (database.sku, database.prop("currentSku")):
        if isinstance(sku, Mapping) and isinstance(sku.get("tier"), str) and sku["tier"]:
            return str(sku["tier"])
    name = (database.sku or {}).get("name")
    if isinstance(name, str) and name.split("_", 1)[0].lower() in _TIER_BY_SKU_PREFIX:
        return _TIER_BY_SKU_PREFIX[name.split("_", 1)[0].lower()]
    edition = database.prop("edition")
    return edition if isinstance(edition, str) and edition else None


def legacy_service_fields(database: Resource) -> dict[str, str]:
    """The older API's edition and service objective fields, where the document has them (evidence)."""
    names = ("edition", "requestedServiceObjectiveName", "currentServiceObjectiveName")
    return {name: one_line(value, 100) for name in names if isinstance(value := database.prop(name), str) and value}


def zone_redundancy_capable(database: Resource) -> bool | None:
    """Whether the database's service tier can be zone redundant (None when the tier is unknown)."""
    tier = service_tier(database)
    return None if tier is None else tier.lower() in ZONE_CAPABLE_TIERS
