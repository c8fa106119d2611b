from __future__ import annotations

from checks._flexible_servers import GUIDANCE_RPO, GUIDANCE_SPARES, CrossRegionReplicaCheck
from checks.mysql._server import CONTINUITY_DOC, REPLICA_DOC, MySqlMetadata
from scanner.check import Remediation, Severity


class MySqlCrossRegionReplicaCheck(MySqlMetadata, CrossRegionReplicaCheck):
    id = "MY-004"
    title = "MySQL server has no read replica in another region"
    severity = Severity.HIGH
    rationale = (
        "Geo-restore rebuilds a server from geo-redundant backups: Microsoft documents its recovery point as under "
        "one hour and its recovery time as varying. A hot-spare zone, or any zone whose RPO is under an hour, "
        "needs a read replica in another region, brought online by stopping replication (a few minutes). "
        "Burstable servers cannot have read replicas."
    )
    guidance = f"{GUIDANCE_SPARES}\n\n{GUIDANCE_RPO}"
    logic = {
        "redeploy": "not applicable",
        "backup-restore": "when the zone's RPO is under 1 hour (geo-restore's documented RPO): fail when no read "
                          "replica of the server is in another region (nor a declared partner); otherwise not "
                          "applicable. The RTO is not compared: Microsoft documents geo-restore's RTO as varying",
        "warm-spare": "as backup-restore",
        "hot-spare": "fail when no read replica of the server is in another region (nor a declared partner); unknown "
                     "when the server reports replicas (replicationRole Source) the scan did not see; not applicable "
                     "to read replicas and to Burstable servers",
    }
    remediation = Remediation(
        summary="Create a read replica of the server in the zone's secondary region (General Purpose or Business "
                "Critical) and rehearse stopping replication to promote it.",
        portal="MySQL flexible server > Settings > Replication > Add replica (location: the secondary region).",
        cli="az mysql flexible-server replica create -g <rg> --replica-name <server>-dr --source-server <server> "
            "--location <secondary-region>",
        iac="Bicep: Microsoft.DBforMySQL/flexibleServers with createMode: 'Replica', sourceServerResourceId: <server "
            "id>, location: <secondary>; Terraform: azurerm_mysql_flexible_server create_mode = \"Replica\", "
            "source_server_id = <server id>",
    )
    references = (CONTINUITY_DOC, REPLICA_DOC)
    burstable_reason = "Burstable tier: read replicas are not supported in this tier"
