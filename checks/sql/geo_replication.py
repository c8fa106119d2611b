from __future__ import annotations

from checks.sql._common import GUIDANCE_SQL, SqlDatabaseCheck, geo_replicas
from scanner.check import EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource
from scanner.policy import Strategy


class SqlGeoReplicaCheck(SqlDatabaseCheck):
    id = "SQL-001"
    title = "SQL database has no replica in another region"
    severity = Severity.HIGH
    rationale = (
        "A warm or hot spare needs a live copy of the database in another region that can take over "
        "within minutes: an active geo-replica, usually inside a failover group so applications keep "
        "one connection endpoint. Without one, the only way back after a regional outage is "
        "geo-restore from backups, which takes hours and loses up to an hour of data (and is "
        "impossible when backups are kept locally). Geo-secondaries count as covered: they are the "
        "other half of the pair."
    )
    guidance = (
        f"{GUIDANCE_SQL}\n\n"
        "Warm Spare (Active/Passive): A secondary hosted service is created in an alternate region, and "
        "roles are deployed to guarantee minimal capacity; however, the roles don't receive production "
        "traffic."
    )
    logic = {
        "redeploy": "not applicable",
        "backup-restore": "not applicable (geo-redundant backups, SQL-003, are the DR copy)",
        "warm-spare": "fail when the database is in no failover group and has no geo-replication link "
                      "to another region (either role); not applicable when the zone overrides "
                      "geo_redundancy to optional",
        "hot-spare": "as warm-spare",
    }
    remediation = Remediation(
        summary="Create a geo-replica of the database on a server in the zone's secondary region, and put "
                "it in a failover group so the application connects through the group's listener and "
                "keeps its connection string after a failover.",
        portal="SQL server > Data management > Failover groups > Add group (partner server in the secondary "
               "region, add the database); or SQL database > Data management > Replicas > Create replica.",
        cli="az sql failover-group create -g <rg> -s <server> -n <group> --partner-server <secondary-server> "
            "--partner-resource-group <dr-rg> --add-db <database> --failover-policy Automatic --grace-period 1",
        iac="Bicep: Microsoft.Sql/servers/failoverGroups with properties.databases [<database id>] and "
            "partnerServers [{ id: <secondary server id> }]; Terraform: azurerm_mssql_failover_group "
            "(databases, partner_server { id })",
    )
    references = (
        "https://learn.microsoft.com/azure/azure-sql/database/business-continuity-high-availability-disaster-recover-hadr-overview",
        "https://learn.microsoft.com/azure/azure-sql/database/failover-group-sql-db",
        "https://learn.microsoft.com/azure/azure-sql/database/active-geo-replication-overview",
    )

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if not zone.strategy.at_least(Strategy.WARM_SPARE):
            return self.not_applicable(f"zone {zone.name} ({zone.strategy}) does not keep a live copy in "
                                       "another region")
        if not zone.requirements.required("geo_redundancy"):
            return self.not_applicable(f"zone {zone.name} does not require geo-redundancy")
        replicas = geo_replicas(ctx.inventory, resource)
        if replicas.copies:
            return self.passed(f"replicated to another region: {'; '.join(replicas.copies)}",
                               observed=list(replicas.copies))
        if unknown := self.unknown_replicas(replicas):
            return unknown
        observed = "; ".join(replicas.same_region) or "no failover group, no geo-replication link"
        return self.failed(
            f"database {resource.name} in {resource.location} has no replica in another region; zone "
            f"{zone.name} ({zone.strategy}) requires a live copy that can take over after a regional outage",
            observed=observed,
            required="a failover group or geo-replica in another region"
                     + (f" ({zone.secondary_region})" if zone.secondary_region else ""),
            requirement=zone.requirement("geo_redundancy"),
        )
