"""What a recovery figure is, and the one table of the figures Microsoft documents, each with its source.

A figure is an achievable RPO or RTO: a duration Microsoft documents (or the scan measured) as the worst
case, `none` (nothing to recover from: data lost, service not restorable), or `unknown` (an input was not
read, or Microsoft documents no figure for the mechanism). Words are read as bounds: "minutes" and
"a few minutes" are under an hour. A figure meets a target only when its worst case is within it; a
documented "typically" figure counts (the text says it is typical, not guaranteed).

`DOCUMENTED` is the table docs/recovery-model.md shows (`python -m scanner.docs` writes it there); every
estimate cites the row it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from functools import total_ordering

from scanner.policy import format_duration


class Kind(StrEnum):
    DURATION = "duration"
    NONE = "none"
    UNKNOWN = "unknown"


class Verdict(StrEnum):
    MEETS = "meets"
    MISSES = "misses"
    UNKNOWN = "unknown"


@total_ordering
# Slots: an estimate holds a dozen figures, 70,000 estimates a scan; not frozen, for speed (see
# scanner/recovery/model.py): nothing changes a figure once made.
@dataclass(slots=True, unsafe_hash=True)
class Figure:
    """One achievable RPO or RTO. `upper` is the worst case of a duration; `undocumented` tells an unknown
    Microsoft gives no figure for from one whose input could not be read. `rank` orders them: better
    first, any duration (shorter first), then unknown, then none (computed once: readiness and every
    estimate compare figures by it, 600,000 times at 100,000 resources)."""

    kind: Kind
    text: str
    upper: timedelta | None = None
    undocumented: bool = False
    rank: tuple[int, float] = field(init=False, repr=False, compare=False)
    _json: dict[str, object] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind == Kind.DURATION and self.upper is not None:
            rank: tuple[int, float] = (0, self.upper.total_seconds())
        else:
            rank = (1, 0) if self.kind == Kind.UNKNOWN else (2, 0)
        self.rank = rank  # set once, here

    def against(self, target: timedelta) -> Verdict:
        if self.kind == Kind.NONE:
            return Verdict.MISSES
        if self.kind == Kind.UNKNOWN or self.upper is None:
            return Verdict.UNKNOWN
        return Verdict.MEETS if self.upper <= target else Verdict.MISSES

    def __lt__(self, other: Figure) -> bool:
        return self.rank < other.rank

    def to_json(self) -> dict[str, object]:
        """One dict per figure, made once and shared (not to be changed): most figures are the table's, and
        40,000 results' evidence at 100,000 resources holds two each."""
        if self._json is None:
            upper = self.upper
            seconds = int(upper.total_seconds()) if self.kind == Kind.DURATION and upper is not None else None
            self._json = {"kind": str(self.kind), "text": self.text, "seconds": seconds,
                          **({"undocumented": True} if self.undocumented else {})}
        return self._json


def within(upper: timedelta, text: str | None = None) -> Figure:
    """A duration whose worst case is `upper` ("≤ 1h"; `text` says it the documentation's way)."""
    return Figure(Kind.DURATION, text or f"≤ {format_duration(upper)}", upper)


def measured(value: timedelta, text: str) -> Figure:
    return Figure(Kind.DURATION, text, value)


def none(text: str) -> Figure:
    return Figure(Kind.NONE, text)


def undocumented(text: str = "undocumented") -> Figure:
    return Figure(Kind.UNKNOWN, text, undocumented=True)


def unread(what: str) -> Figure:
    return Figure(Kind.UNKNOWN, f"unknown: {what} not read")


DATA_LOST = none("none: data lost")
NOT_RECOVERABLE = none("none: nothing to recover from")
ZERO = within(timedelta(0), "0")
SECOND, MINUTE, HOUR, DAY = timedelta(seconds=1), timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
# "RTO - Minutes", "a few minutes": under an hour, never more.
MINUTES = within(HOUR, "minutes (< 1h)")


@dataclass(frozen=True)
class Documented:
    """One row of the table: a recovery mechanism, its RPO and RTO as Microsoft documents them, and where.
    `rpo` / `rto` are None where the figure follows from the configuration (`rpo_rule` / `rto_rule` say how)."""

    key: str
    service: str
    mechanism: str
    url: str
    rpo: Figure | None = None
    rto: Figure | None = None
    rpo_rule: str = ""
    rto_rule: str = ""

    def rpo_text(self) -> str:
        return self.rpo_rule or (self.rpo.text if self.rpo else "")

    def rto_text(self) -> str:
        return self.rto_rule or (self.rto.text if self.rto else "")


SQL_BCDR = ("https://learn.microsoft.com/azure/azure-sql/database/"
            "business-continuity-high-availability-disaster-recover-hadr-overview")
STORAGE_REGION_DOWN = "https://learn.microsoft.com/azure/reliability/reliability-storage-blob"
LAST_SYNC_TIME = "https://learn.microsoft.com/azure/storage/common/last-sync-time-get"
BLOB_PITR = "https://learn.microsoft.com/azure/storage/blobs/point-in-time-restore-overview"
BLOB_SOFT_DELETE = "https://learn.microsoft.com/azure/storage/blobs/soft-delete-blob-overview"
BLOB_VERSIONING = "https://learn.microsoft.com/azure/storage/blobs/versioning-overview"
BLOB_BACKUP = "https://learn.microsoft.com/azure/backup/blob-backup-overview"
BACKUP_RELIABILITY = "https://learn.microsoft.com/azure/reliability/reliability-backup"
COSMOS_DURABILITY = "https://learn.microsoft.com/azure/cosmos-db/consistency-levels"
COSMOS_RELIABILITY = "https://learn.microsoft.com/azure/reliability/reliability-cosmos-db-nosql"
COSMOS_PERIODIC = "https://learn.microsoft.com/azure/cosmos-db/periodic-backup-restore-introduction"
COSMOS_CONTINUOUS = "https://learn.microsoft.com/azure/cosmos-db/continuous-backup-restore-introduction"
PG_CONTINUITY = "https://learn.microsoft.com/azure/postgresql/backup-restore/concepts-business-continuity"
MYSQL_CONTINUITY = "https://learn.microsoft.com/azure/mysql/flexible-server/concepts-business-continuity"
KEY_VAULT_DR = "https://learn.microsoft.com/azure/key-vault/general/disaster-recovery-guidance"
KEY_VAULT_SOFT_DELETE = "https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview"
EVENT_HUBS_GEO_DR = "https://learn.microsoft.com/azure/event-hubs/event-hubs-geo-dr"
EVENT_HUBS_GEO_REPLICATION = "https://learn.microsoft.com/azure/event-hubs/geo-replication"
SYNAPSE_BACKUP = "https://learn.microsoft.com/azure/synapse-analytics/sql-data-warehouse/backup-and-restore"
DATA_EXPLORER_CONTINUITY = "https://learn.microsoft.com/azure/data-explorer/business-continuity-overview"
PURVIEW_DR = "https://learn.microsoft.com/purview/concept-best-practices-migration"
DUAL_LOAD = ("https://learn.microsoft.com/azure/cloud-adoption-framework/scenarios/cloud-scale-analytics/"
             "eslz-business-continuity-and-disaster-recovery")
# Backups in a geo-redundant vault reach the paired region up to 12 hours after they are taken.
VAULT_REPLICATION_LAG = 12 * HOUR


_BY_FAILOVER = "by the failover setting (cosmos.service_managed_failover, .multi_region_writes, .no_failover)"
_BY_CONSISTENCY = "by the consistency level (cosmos.multi_region, .bounded_staleness, .strong)"


def _rows(*rows: Documented) -> dict[str, Documented]:
    return {row.key: row for row in rows}


DOCUMENTED: dict[str, Documented] = _rows(
    # --- Azure Storage --------------------------------------------------------------------------------
    Documented("storage.geo", "Storage", "GRS / RA-GRS / GZRS / RA-GZRS, customer-managed (unplanned) failover",
               STORAGE_REGION_DOWN, within(15 * MINUTE, "≤ 15 min (typical, no SLA)"),
               within(HOUR, "≤ 1h (typical)")),
    Documented("storage.lag", "Storage", "geo-replication lag measured at scan time (lastSyncTime)", LAST_SYNC_TIME,
               rpo_rule="scan time minus geoReplicationStats.lastSyncTime, when the status is Live",
               rto_rule="as storage.geo"),
    Documented("storage.local", "Storage", "LRS / ZRS: every copy in one region", STORAGE_REGION_DOWN,
               DATA_LOST, NOT_RECOVERABLE),
    Documented("storage.pitr", "Storage", "blob point-in-time restore", BLOB_PITR, ZERO,
               undocumented("undocumented (depends on the changes to undo)")),
    Documented("storage.soft_delete", "Storage", "blob soft delete", BLOB_SOFT_DELETE, ZERO, undocumented()),
    Documented("storage.versioning", "Storage", "blob versioning (previous versions kept)", BLOB_VERSIONING, ZERO,
               undocumented()),
    # --- Azure Backup ---------------------------------------------------------------------------------
    Documented("backup.operational", "Azure Backup", "operational backup (continuous, kept in the source)",
               BLOB_BACKUP, ZERO, undocumented()),
    Documented("backup.vaulted", "Azure Backup", "vaulted backup, restored in the source region", BLOB_BACKUP,
               rpo_rule="the policy's backup interval", rto=undocumented()),
    Documented("backup.geo_vault", "Azure Backup", "vaulted backup in a geo-redundant vault, restored in the "
               "paired region", BACKUP_RELIABILITY,
               rpo_rule="backup interval + up to 12h of replication (daily backups: 36h)",
               rto=undocumented("undocumented (without cross-region restore: after Microsoft declares a "
                                "disaster)")),
    # --- Azure Cosmos DB ------------------------------------------------------------------------------
    Documented("cosmos.multi_region", "Cosmos DB", "account in several regions (Session, Consistent Prefix, "
               "Eventual)", COSMOS_DURABILITY, within(15 * MINUTE, "< 15 min"),
               rto_rule=_BY_FAILOVER),
    Documented("cosmos.bounded_staleness", "Cosmos DB", "account in several regions, Bounded Staleness",
               COSMOS_DURABILITY, rpo_rule="maxIntervalInSeconds (T)",
               rto_rule=_BY_FAILOVER),
    Documented("cosmos.strong", "Cosmos DB", "account in several regions, Strong", COSMOS_DURABILITY, ZERO,
               rto_rule=_BY_FAILOVER),
    Documented("cosmos.service_managed_failover", "Cosmos DB", "service-managed failover of the write region",
               COSMOS_RELIABILITY, rto=undocumented("undocumented (Microsoft decides; \"up to 1 hour (or more)\" in "
                                                    "partial outages)"),
               rpo_rule=_BY_CONSISTENCY),
    Documented("cosmos.multi_region_writes", "Cosmos DB", "writes in several regions", COSMOS_RELIABILITY,
               rto=undocumented("undocumented (temporary write unavailability)"),
               rpo_rule=_BY_CONSISTENCY),
    Documented("cosmos.no_failover", "Cosmos DB", "several regions, no service-managed failover",
               COSMOS_RELIABILITY, rto=none("none: writes wait for the region (a manual failover cannot succeed "
                                            "during the outage)"),
               rpo_rule=_BY_CONSISTENCY),
    Documented("cosmos.periodic", "Cosmos DB", "periodic backup (restore through a support request)",
               COSMOS_PERIODIC, rpo_rule="backupIntervalInMinutes", rto=undocumented()),
    Documented("cosmos.continuous", "Cosmos DB", "continuous backup (point-in-time restore)", COSMOS_CONTINUOUS,
               within(100 * SECOND, "≤ 100 s"), undocumented()),
    Documented("cosmos.in_region_backup", "Cosmos DB", "one region; backups on Local / Zone storage, or "
               "continuous backup (kept in the account's regions)", COSMOS_CONTINUOUS, DATA_LOST, NOT_RECOVERABLE),
    # --- Azure SQL Database and SQL Managed Instance --------------------------------------------------
    Documented("sql.failover_group", "Azure SQL / SQL MI", "failover group, automatic", SQL_BCDR,
               within(5 * SECOND, "5 s"), within(HOUR, "1h"),
               rto_rule="1h, or the grace period when longer (failoverWithDataLossGracePeriodMinutes)"),
    Documented("sql.manual_failover", "Azure SQL / SQL MI", "geo-replica failed over by an operator (active "
               "geo-replication, or a failover group with a Manual policy)", SQL_BCDR, within(5 * SECOND, "5 s"),
               undocumented("undocumented (30 s once an operator starts it; noticing and deciding not included)")),
    Documented("sql.geo_restore", "Azure SQL / SQL MI", "geo-restore from geo-replicated backups", SQL_BCDR,
               within(HOUR, "1h"), within(12 * HOUR, "12h")),
    Documented("sql.pitr", "Azure SQL / SQL MI", "point-in-time restore (log backups every 5-10 min)", SQL_BCDR,
               within(10 * MINUTE, "≤ 10 min"), within(12 * HOUR, "< 12h (most databases)")),
    Documented("sql.local_backups", "Azure SQL / SQL MI", "Local / Zone backup storage, no geo-replica", SQL_BCDR,
               DATA_LOST, NOT_RECOVERABLE),
    # --- PostgreSQL and MySQL flexible servers ---------------------------------------------------------
    Documented("postgresql.replica", "PostgreSQL", "read replica in another region, promoted", PG_CONTINUITY,
               within(5 * MINUTE, "30 s - 5 min (typical)"), MINUTES),
    Documented("postgresql.geo_restore", "PostgreSQL", "geo-restore from geo-redundant backup", PG_CONTINUITY,
               within(HOUR, "< 1h"), undocumented("undocumented (\"varies\")")),
    Documented("postgresql.pitr", "PostgreSQL", "point-in-time restore", PG_CONTINUITY,
               within(5 * MINUTE, "< 5 min"), within(12 * HOUR, "minutes to 12h")),
    Documented("mysql.replica", "MySQL", "read replica in another region, replication stopped", MYSQL_CONTINUITY,
               within(HOUR, "< 1h"), MINUTES),
    Documented("mysql.geo_restore", "MySQL", "geo-restore from geo-redundant backup", MYSQL_CONTINUITY,
               within(HOUR, "< 1h"), undocumented("undocumented (\"varies\")")),
    Documented("mysql.pitr", "MySQL", "point-in-time restore", MYSQL_CONTINUITY, ZERO,
               undocumented("undocumented (\"varies\")")),
    Documented("flexible.local", "PostgreSQL / MySQL", "backups in the region, no replica elsewhere",
               PG_CONTINUITY, DATA_LOST, NOT_RECOVERABLE),
    # --- Key Vault ------------------------------------------------------------------------------------
    Documented("keyvault.paired", "Key Vault", "Microsoft-managed failover to the paired region (read-only until "
               "failback); replicated with RA-GRS", KEY_VAULT_DR, within(15 * MINUTE, "≤ 15 min (typical, RA-GRS)"),
               within(20 * MINUTE, "a few minutes (≤ 20 min over private link)")),
    Documented("keyvault.unreplicated", "Key Vault", "region without cross-region replication (no pair, Brazil "
               "South, Brazil Southeast, West US 3)", KEY_VAULT_DR, DATA_LOST, NOT_RECOVERABLE),
    Documented("keyvault.soft_delete", "Key Vault", "soft delete (recover the vault or object)",
               KEY_VAULT_SOFT_DELETE, ZERO, undocumented()),
    # --- Event Hubs -----------------------------------------------------------------------------------
    Documented("eventhubs.geo_replication", "Event Hubs", "geo-replication (Premium, Dedicated), promotion of a "
               "secondary", EVENT_HUBS_GEO_REPLICATION, rpo_rule="maxReplicationLagDurationInSeconds (0: "
               "synchronous)", rto=undocumented()),
    Documented("eventhubs.geo_dr", "Event Hubs", "geo-disaster recovery alias (metadata only)", EVENT_HUBS_GEO_DR,
               none("none: events are not replicated"), undocumented()),
    Documented("eventhubs.none", "Event Hubs", "no geo-replication, no alias", EVENT_HUBS_GEO_DR,
               DATA_LOST, NOT_RECOVERABLE),
    # --- Synapse dedicated SQL pools --------------------------------------------------------------------
    Documented("synapse.geo_backup", "Synapse", "geo-restore from the daily geo-backup", SYNAPSE_BACKUP,
               within(24 * HOUR, "24h"), undocumented("undocumented (depends on the data size)")),
    Documented("synapse.restore_points", "Synapse", "restore from an automatic restore point (7 days)",
               SYNAPSE_BACKUP, within(8 * HOUR, "8h"), undocumented()),
    Documented("synapse.no_geo_backup", "Synapse", "geo-backup disabled", SYNAPSE_BACKUP, DATA_LOST,
               NOT_RECOVERABLE),
    # --- Data Explorer and Microsoft Purview -------------------------------------------------------------
    Documented("dataexplorer.single_region", "Data Explorer", "one cluster, storage in its region (LRS / ZRS)",
               DATA_EXPLORER_CONTINUITY, DATA_LOST, NOT_RECOVERABLE),
    Documented("dataexplorer.deletion", "Data Explorer", "deleting a cluster or database cannot be undone",
               DATA_EXPLORER_CONTINUITY, DATA_LOST, NOT_RECOVERABLE),
    Documented("purview.single_account", "Microsoft Purview", "no built-in disaster recovery", PURVIEW_DR,
               DATA_LOST, NOT_RECOVERABLE),
    # --- What Microsoft leaves to the customer ----------------------------------------------------------
    Documented("standby", "Data Explorer / Purview", "a second cluster or account of the zone in another region, "
               "kept in step by you", DUAL_LOAD, undocumented("undocumented (yours)"),
               undocumented("undocumented (yours)")),
    Documented("partner", "any", "declared DR partner or object replication (\"dual load\")", DUAL_LOAD,
               undocumented("undocumented (yours)"), undocumented("undocumented (yours)")),
    Documented("eventhubs.no_backup", "Event Hubs", "no backup or restore of events (geo-DR covers metadata)",
               EVENT_HUBS_GEO_DR, undocumented(), undocumented()),
    Documented("purview.no_backup", "Microsoft Purview", "no built-in backup of the account", PURVIEW_DR,
               undocumented(), undocumented()),
)


def row(key: str) -> Documented:
    return DOCUMENTED[key]
