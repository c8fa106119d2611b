from __future__ import annotations

from checks.synapse._types import GEO_BACKUP_POLICY, SQL_POOL, SYNAPSE_SECTION
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource


class SqlPoolGeoBackupCheck(Check):
    id = "SYN-002"
    title = "Dedicated SQL pool has geo-backups disabled"
    service = "Synapse"
    resource_type = SQL_POOL
    severity = Severity.HIGH
    rationale = (
        "A dedicated SQL pool's geo-backup (once a day, to the paired region) is its only copy outside "
        "its region: with the geo-backup policy disabled, a regional disaster leaves nothing to "
        "geo-restore from. A paused pool still holds data and is judged like an online one."
    )
    guidance = (
        f"{SYNAPSE_SECTION}\n\n"
        "Data Lake: If one of the Data Landing Zones requires geo-redundancy, [...] it is recommended to "
        "geo-replicate your data [...] that satisfies your HA/DR requirements."
    )
    logic = {
        "redeploy": "not applicable unless the zone overrides geo_redundancy to required",
        "backup-restore": "fail when the geo-backup policy Default has state Disabled",
        "warm-spare": "fail when the geo-backup policy Default has state Disabled",
        "hot-spare": "fail when the geo-backup policy Default has state Disabled",
    }
    remediation = Remediation(
        summary="Enable the pool's geo-backup policy so a daily backup is kept in the paired region and the "
                "pool can be geo-restored after a regional outage.",
        portal="Synapse workspace > SQL pools > <pool> > Settings > Geo-backup policy > Enabled > Save.",
        cli="az rest --method put --url \"https://management.azure.com<pool-id>/geoBackupPolicies/Default"
            "?api-version=2021-06-01\" --body '{\"properties\": {\"state\": \"Enabled\"}}'",
        iac="Bicep: resource 'Microsoft.Synapse/workspaces/sqlPools/geoBackupPolicies' named 'Default' with "
            "properties: { state: 'Enabled' }; Terraform: azurerm_synapse_sql_pool geo_backup_policy_enabled = true",
    )
    references = (
        "https://learn.microsoft.com/azure/synapse-analytics/sql-data-warehouse/backup-and-restore",
        "https://learn.microsoft.com/rest/api/synapse/resourcemanager/sql-pool-geo-backup-policies",
    )

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if not zone.requirements.required("geo_redundancy"):
            return self.not_applicable(f"zone {zone.name} does not require geo-redundancy")
        policy = next((p for p in ctx.inventory.children(resource, GEO_BACKUP_POLICY)
                       if p.name.lower() == "default"), None)
        if policy is None:
            # Every dedicated pool has the Default policy: its absence means it was not read.
            return self.unknown("geo-backup policy Default", ctx.inventory.gap(resource, GEO_BACKUP_POLICY))
        state = policy.prop("state")
        evidence = {"pool_status": resource.prop("status"), "policy": policy.id}
        if not isinstance(state, str) or state.lower() not in ("enabled", "disabled"):
            return self.unknown("geoBackupPolicies/Default properties.state (Enabled or Disabled)")
        if state.lower() == "enabled":
            return self.passed("geo-backups to the paired region are enabled", observed=state, **evidence)
        status = resource.prop("status")
        paused = " (the pool is paused; its data is still there)" if str(status).lower() == "paused" else ""
        return self.failed(
            f"geo-backups of pool {resource.name} are disabled{paused}: no copy of its data is kept outside "
            f"{resource.location}; zone {zone.name} ({zone.strategy}) requires one",
            observed=state,
            required="Enabled",
            requirement=zone.requirement("geo_redundancy"),
            **evidence,
        )
