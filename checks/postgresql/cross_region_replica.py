from __future__ import annotations

from checks._flexible_servers import GUIDANCE_RPO, GUIDANCE_SPARES, CrossRegionReplicaCheck
from checks.postgresql._server import (
    CONTINUITY_DOC,
    GEO_REPLICA_DOC,
    REPLICA_DOC,
    PostgreSqlMetadata,
)
from scanner.check import Remediation, Severity


class PostgreSqlCrossRegionReplicaCheck(PostgreSqlMetadata, CrossRegionReplicaCheck):
    id = "PG-004"
    title = "PostgreSQL server has no read replica in another region"
    severity = Severity.HIGH
    rationale = (
        "Geo-restore rebuilds a server in the paired region from geo-redundant backups: Microsoft documents its "
        "recovery point as under one hour and its recovery time as varying with the data to restore (minutes to "
        "hours). A hot-spare zone, or any zone whose RPO is under an hour, needs a read replica in another region "
        "instead, which is promoted in minutes and lags the primary by typically 30 seconds to 5 minutes. "
        "Burstable servers cannot have read replicas."
    )
    guidance = f"{GUIDANCE_SPARES}\n\n{GUIDANCE_RPO}"
    logic = {
        "redeploy": "not applicable",
        "backup-restore": "when the zone's RPO is under 1 hour (geo-restore's documented RPO): fail when no read "
                          "replica of the server is in another region (nor a declared partner); otherwise not "
                          "applicable. The RTO is not compared: Microsoft documents geo-restore's RTO as varying",
        "warm-spare": "as backup-restore",
        "hot-spare": "fail when no read replica of the server is in another region (nor a declared partner); not "
                     "applicable to read replicas and to Burstable servers (no replicas in that tier)",
    }
    remediation = Remediation(
        summary="Create a read replica of the server in the zone's secondary region and plan its promotion (a "
                "virtual endpoint keeps the connection name across the switch).",
        portal="PostgreSQL flexible server > Settings > Replication > Create replica (location: the secondary region).",
        cli="az postgres flexible-server replica create -g <dr-rg> --replica-name <server>-dr --source-server "
            "<server id> --location <secondary-region>",
        iac="Bicep: Microsoft.DBforPostgreSQL/flexibleServers with createMode: 'Replica', sourceServerResourceId: "
            "<server id>, location: <secondary>; Terraform: azurerm_postgresql_flexible_server create_mode = "
            "\"Replica\", source_server_id = <server id>",
    )
    references = (CONTINUITY_DOC, REPLICA_DOC, GEO_REPLICA_DOC)
    burstable_reason = ("Burstable tier: read replicas are not supported in this tier (General Purpose and Memory "
                        "Optimized only)")
