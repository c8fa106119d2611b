from __future__ import annotations

from typing import Any

from checks._dr import paired_region
from checks._flexible_servers import GUIDANCE_BACKUP, GeoCopyCheck, is_burstable
from checks.postgresql._server import (
    BACKUP_DOC,
    CONTINUITY_DOC,
    GEO_REPLICA_DOC,
    PostgreSqlMetadata,
)
from scanner.check import Remediation, Severity
from scanner.model import Inventory, Resource


class PostgreSqlGeoCopyCheck(PostgreSqlMetadata, GeoCopyCheck):
    id = "PG-001"
    title = "PostgreSQL server keeps no copy outside its region"
    severity = Severity.HIGH
    rationale = (
        "A flexible server keeps its backups in its own region (zone- or locally-redundant) unless it was created "
        "with geo-redundant backup, which copies them to the paired region and allows a geo-restore there. The "
        "other copy outside the region is a read replica in another region, which can be promoted. A server with "
        "neither loses its data with its region. Geo-redundant backup can only be chosen when the server is "
        "created, and only in regions that have a pair."
    )
    guidance = GUIDANCE_BACKUP
    logic = {
        "redeploy": "not applicable unless the zone overrides geo_redundancy to required",
        "backup-restore": "fail when backup.geoRedundantBackup is Disabled (Azure's default where the backup "
                          "settings leave it out) and no read replica of the server is in another region (nor a "
                          "declared partner); not applicable to a read replica",
        "warm-spare": "as backup-restore",
        "hot-spare": "as backup-restore",
    }
    remediation = Remediation(
        summary="Geo-redundant backup can only be chosen when a server is created: create a read replica in "
                "another region (General Purpose or Memory Optimized), or create a new server with geo-redundant "
                "backup and move the data into it (pg_dump / pg_restore). In a region without a pair only the "
                "replica is possible.",
        portal="PostgreSQL flexible server > Settings > Replication > Create replica (location: the zone's secondary "
               "region); or Create > Azure Database for PostgreSQL flexible server > Compute + storage > Backup "
               "redundancy: Geo-redundant.",
        cli="az postgres flexible-server replica create -g <rg> --replica-name <server>-dr --source-server <server> "
            "--location <secondary-region>; or az postgres flexible-server create ... --geo-redundant-backup Enabled",
        iac="Bicep: a second Microsoft.DBforPostgreSQL/flexibleServers with createMode: 'Replica', "
            "sourceServerResourceId: <server id>, location: <secondary>; or backup: { geoRedundantBackup: "
            "'Enabled' } on a new server; "
            "Terraform: azurerm_postgresql_flexible_server create_mode = \"Replica\" / geo_redundant_backup_enabled "
            "= true (forces a new server)",
    )
    references = (BACKUP_DOC, CONTINUITY_DOC, GEO_REPLICA_DOC)

    def remedy(self, server: Resource, inventory: Inventory) -> tuple[str, dict[str, Any]]:
        pair, known = paired_region(inventory, server.location)
        evidence: dict[str, Any] = {"paired_region": pair if known else "unknown"}
        if known and pair is None:
            note = (f"Region {server.location} has no paired region: geo-redundant backup is not offered there; "
                    "only a read replica in another region gives a copy.")
        else:
            note = ("Geo-redundant backup can only be chosen at server creation: add a read replica in another "
                    "region, or create a new server with geo-redundant backup and move the data.")
        if is_burstable(server):
            note += " The Burstable tier has no read replicas: scale to General Purpose first for a replica."
        return note, evidence
