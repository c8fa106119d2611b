"""What the MY checks share: the service name, its documentation, its documented figures."""

from __future__ import annotations

from typing import ClassVar

from checks._flexible_servers import MYSQL, ha_mode, storage_redundancy
from scanner.model import Resource

SERVICE = "MySQL"
ENGINE = "MySQL"
RESOURCE_TYPE = MYSQL

# https://learn.microsoft.com/azure/mysql/flexible-server/concepts-backup-restore: retention 1 to 35 days
# (default 7); locally redundant backups "can move to geo-redundant storage post server create", but not
# from zone-redundant backup storage (servers created with zone-redundant HA); geo-redundancy only in
# paired regions.
BACKUP_DOC = "https://learn.microsoft.com/azure/mysql/flexible-server/concepts-backup-restore"
# https://learn.microsoft.com/azure/mysql/flexible-server/concepts-business-continuity: geo-restore
# "RTO: Varies, RPO < 1 h"; a read replica as DR: RTO a few minutes.
CONTINUITY_DOC = "https://learn.microsoft.com/azure/mysql/flexible-server/concepts-business-continuity"
# High availability isn't supported in the Burstable tier; zone-redundant HA only at server creation
# ("except for new servers on the Business-Critical tier created in January 2025", the page's words).
HA_DOC = "https://learn.microsoft.com/azure/mysql/flexible-server/concepts-high-availability"
HA_FAQ = "https://learn.microsoft.com/azure/mysql/flexible-server/concepts-high-availability-faq"
# Replicas: General Purpose and Business Critical only ("Replica on server in Burstable Pricing Tier: Not
# supported"), in any region.
REPLICA_DOC = "https://learn.microsoft.com/azure/mysql/flexible-server/concepts-read-replicas"


class MySqlMetadata:
    """Class attributes every MY check carries."""

    service: ClassVar[str] = SERVICE
    engine: ClassVar[str] = ENGINE
    resource_type: ClassVar[str] = RESOURCE_TYPE
    # A MySQL server with read replicas reports replicationRole Source (None without any).
    source_role: ClassVar[str | None] = "Source"


def has_zone_redundant_storage(server: Resource) -> bool:
    """Created with zone-redundant HA: its storage and backups are zone-redundant, even with HA off since."""
    return (ha_mode(server) or "").lower() == "zoneredundant" or \
        (storage_redundancy(server) or "").lower() == "zoneredundancy"
