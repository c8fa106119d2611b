"""What the PG checks share: the service name, its documentation, its documented figures."""

from __future__ import annotations

from typing import ClassVar

from checks._flexible_servers import POSTGRESQL

SERVICE = "PostgreSQL"
ENGINE = "PostgreSQL"
RESOURCE_TYPE = POSTGRESQL

# https://learn.microsoft.com/azure/postgresql/backup-restore/concepts-backup-restore: retention 7 (default)
# to 35 days; geo-redundant backup "can be configured only at the time of server creation", only in
# paired regions; geo-restore "up to one hour of RPO".
BACKUP_DOC = "https://learn.microsoft.com/azure/postgresql/backup-restore/concepts-backup-restore"
# https://learn.microsoft.com/azure/postgresql/backup-restore/concepts-business-continuity: geo-restore
# RTO "Varies", RPO < 1 h; read replicas RTO minutes, RPO 30 s to 5 min; Burstable: no HA, no replicas.
CONTINUITY_DOC = "https://learn.microsoft.com/azure/postgresql/backup-restore/concepts-business-continuity"
# Zone-redundant HA "isn't supported for: Burstable compute tier; Regions with single-zone availability".
HA_DOC = "https://learn.microsoft.com/azure/postgresql/high-availability/concepts-high-availability"
# Replicas: General Purpose and Memory Optimized only; backups and HA are not supported on replicas.
REPLICA_DOC = "https://learn.microsoft.com/azure/postgresql/read-replica/concepts-read-replicas"
GEO_REPLICA_DOC = "https://learn.microsoft.com/azure/postgresql/read-replica/concepts-read-replicas-geo"


class PostgreSqlMetadata:
    """Class attributes every PG check carries."""

    service: ClassVar[str] = SERVICE
    engine: ClassVar[str] = ENGINE
    resource_type: ClassVar[str] = RESOURCE_TYPE
