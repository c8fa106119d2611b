from __future__ import annotations

from typing import Any

from checks._dr import paired_region
from checks._flexible_servers import GUIDANCE_BACKUP, GeoCopyCheck, is_burstable
from checks.mysql._server import (
    BACKUP_DOC,
    CONTINUITY_DOC,
    REPLICA_DOC,
    MySqlMetadata,
    has_zone_redundant_storage,
)
from scanner.check import Remediation, Severity
from scanner.model import Inventory, Resource


class MySqlGeoCopyCheck(MySqlMetadata, GeoCopyCheck):
    id = "MY-001"
    title = "MySQL server keeps no copy outside its region"
    severity = Severity.HIGH
    rationale = (
        "A flexible server keeps its backups in its own region unless geo-redundant backup copies them to the "
        "paired region, where a geo-restore can rebuild the server. The other copy outside the region is a read "
        "replica in another region. A server with neither loses its data with its region. Unlike PostgreSQL, a "
        "MySQL server with locally redundant backups can switch to geo-redundant backup after creation; a server "
        "created with zone-redundant high availability (zone-redundant backup storage) cannot."
    )
    guidance = GUIDANCE_BACKUP
    logic = {
        "redeploy": "not applicable unless the zone overrides geo_redundancy to required",
        "backup-restore": "fail when backup.geoRedundantBackup is Disabled (Azure's default where the backup "
                          "settings leave it out) and no read replica of the server is in another region (nor a "
                          "declared partner); unknown when the server reports replicas "
                          "(replicationRole Source) that the scan did not see; not applicable to a read replica",
        "warm-spare": "as backup-restore",
        "hot-spare": "as backup-restore",
    }
    remediation = Remediation(
        summary="Switch the server's backups to geo-redundant storage (possible after creation for locally "
                "redundant backups), or create a read replica in another region. A server created with zone-"
                "redundant high availability cannot switch: restore it into a new server with geo-redundant backup, "
                "or add the replica.",
        portal="MySQL flexible server > Settings > Compute + storage > Backup redundancy: Geo-redundant; or "
               "Settings > Replication > Add replica (location: the zone's secondary region).",
        cli="az mysql flexible-server update -g <rg> -n <server> --geo-redundant-backup Enabled; or "
            "az mysql flexible-server replica create -g <rg> --replica-name <server>-dr --source-server <server> "
            "--location <secondary-region>",
        iac="Bicep: properties.backup: { geoRedundantBackup: 'Enabled' }, or a Microsoft.DBforMySQL/flexibleServers "
            "with createMode: 'Replica'; Terraform: azurerm_mysql_flexible_server geo_redundant_backup_enabled = true, "
            "or create_mode = \"Replica\"",
    )
    references = (BACKUP_DOC, CONTINUITY_DOC, REPLICA_DOC)

    def remedy(self, server: Resource, inventory: Inventory) -> tuple[str, dict[str, Any]]:
        pair, known = paired_region(inventory, server.location)
        zone_redundant = has_zone_redundant_storage(server)
        evidence: dict[str, Any] = {"paired_region": pair if known else "unknown",
                                    "zone_redundant_backup_storage": zone_redundant}
        if known and pair is None:
            note = (f"Region {server.location} has no paired region: geo-redundant backup is not offered there; "
                    "only a read replica in another region gives a copy.")
        elif zone_redundant:
            note = ("The server was created with zone-redundant high availability: its backups cannot switch to "
                    "geo-redundant storage; restore into a new server with geo-redundant backup, or add a read "
                    "replica in another region.")
        else:
            note = "Geo-redundant backup can be switched on now (Compute + storage), or add a read replica."
        if is_burstable(server):
            note += " The Burstable tier has no read replicas."
        return note, evidence
