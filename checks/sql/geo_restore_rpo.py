from __future__ import annotations

from datetime import timedelta

from checks.sql._common import GUIDANCE_SQL, SqlDatabaseCheck, geo_replicas
from scanner.check import EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource
from scanner.policy import Strategy, format_duration

# Geo-restore restores the most recent geo-replicated backup: Microsoft documents its RPO as 1 hour.
GEO_RESTORE_RPO = timedelta(hours=1)


class SqlGeoRestoreRpoCheck(SqlDatabaseCheck):
    id = "SQL-005"
    title = "SQL database relies on geo-restore for an RPO geo-restore cannot meet"
    severity = Severity.HIGH
    rationale = (
        "In a backup-restore zone, recovery from a regional outage is a geo-restore: the database is "
        "restored in another region from its geo-replicated backups. Those backups reach the paired "
        "region asynchronously, so Microsoft documents geo-restore's recovery point as about an hour. A "
        "zone that promises an RPO under one hour cannot rely on it: the database needs a geo-replica "
        "(active geo-replication or a failover group), whose RPO is seconds."
    )
    guidance = (
        f"{GUIDANCE_SQL}\n\n"
        "Each Data Landing Zone must decide on the Recovery Point Objective for their Data Integration(s) "
        "and Data Products and defined a replication strategy for their use cases."
    )
    logic = {
        "redeploy": "not applicable",
        "backup-restore": "when the RPO is under 1 hour: fail when the database has no failover group and no "
                          "geo-replication link to another region (geo-restore alone); not applicable when "
                          "the RPO is 1 hour or more",
        "warm-spare": "not applicable (SQL-001 requires a geo-replica)",
        "hot-spare": "not applicable (SQL-001 requires a geo-replica)",
    }
    remediation = Remediation(
        summary="Add a geo-replica of the database in the zone's secondary region (a failover group, or an "
                "active geo-replication link; a standby replica keeps the cost down), or relax the zone's "
                "RPO to at least one hour if geo-restore is the intended recovery.",
        portal="SQL database > Data management > Replicas > Create replica (server in the secondary region); "
               "or SQL server > Data management > Failover groups > Add group.",
        cli="az sql db replica create -g <rg> -s <server> -n <database> --partner-server <secondary-server> "
            "--partner-resource-group <dr-rg> --secondary-type Standby",
        iac="Bicep: a Microsoft.Sql/servers/databases on the secondary server with createMode: 'Secondary', "
            "sourceDatabaseId: <primary database id>; Terraform: azurerm_mssql_database create_mode = "
            "\"Secondary\", creation_source_database_id = <primary database id>",
    )
    references = (
        "https://learn.microsoft.com/azure/azure-sql/database/business-continuity-high-availability-disaster-recover-hadr-overview",
        "https://learn.microsoft.com/azure/azure-sql/database/recovery-using-backups",
        "https://learn.microsoft.com/azure/azure-sql/database/active-geo-replication-overview",
    )

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if zone.strategy != Strategy.BACKUP_RESTORE:
            return self.not_applicable(f"zone {zone.name} ({zone.strategy}) does not recover by restoring backups")
        if zone.rpo >= GEO_RESTORE_RPO:
            return self.not_applicable(f"zone {zone.name}'s RPO ({format_duration(zone.rpo)}) is within "
                                       "geo-restore's (1h)")
        replicas = geo_replicas(ctx.inventory, resource)
        if replicas.copies:
            return self.passed(f"a geo-replica meets the RPO: {'; '.join(replicas.copies)}",
                               observed=list(replicas.copies))
        if unknown := self.unknown_replicas(replicas):
            return unknown
        return self.failed(
            f"database {resource.name} can only be recovered in another region by geo-restore, whose recovery "
            f"point is about 1 hour; zone {zone.name} requires an RPO of {format_duration(zone.rpo)}",
            observed="geo-restore only (no failover group, no geo-replication link to another region)",
            required=f"a geo-replica in another region (RPO {format_duration(zone.rpo)} < 1h)",
            requirement=f"rpo={format_duration(zone.rpo)} ({zone.strategy} zone {zone.name})",
        )
