from __future__ import annotations

from typing import Any

from checks._dr import region_zone_evidence, zone_support_verdict
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource

CLUSTER = "Microsoft.Kusto/clusters"
# Availability zones are set at creation or by migrating the cluster; once set they cannot be removed;
# with zones the compute nodes spread over them and the data sits on zone-redundant storage.
RELIABILITY_DOC = "https://learn.microsoft.com/azure/reliability/reliability-data-explorer"
MIGRATE_DOC = "https://learn.microsoft.com/azure/data-explorer/migrate-cluster-to-multiple-availability-zone"


class DataExplorerZoneRedundancyCheck(Check):
    id = "ADX-001"
    title = "Data Explorer cluster does not use availability zones"
    service = "Data Explorer"
    resource_type = CLUSTER
    severity = Severity.MEDIUM
    rationale = (
        "A Data Explorer cluster without availability zones runs its nodes and keeps its data in one datacenter of "
        "the region: a zone outage takes the cluster down. Deployed across zones, its compute nodes are spread "
        "over them and its data sits on zone-redundant storage. A cluster pinned to a single zone is zonal, not "
        "zone redundant. Zones are chosen at creation or added by migrating the cluster, and exist only in regions "
        "that have availability zones."
    )
    guidance = (
        "High availability (HA) and disaster recovery (DR) can sometimes be combined, although each has a slightly "
        "different strategy, especially when it comes to data."
    )
    logic = {
        "redeploy": "not applicable unless the zone overrides zone_redundancy to required",
        "backup-restore": "not applicable unless the zone overrides zone_redundancy to required",
        "warm-spare": "not applicable unless the zone overrides zone_redundancy to required",
        "hot-spare": "fail when the cluster lists fewer than two availability zones (`zones`), or its zoneStatus is "
                     "ZonalInconsistency; not applicable in a region without availability zones, unknown when the "
                     "region is not known",
    }
    remediation = Remediation(
        summary="Deploy the cluster across availability zones: migrate the existing cluster to multiple zones, or "
                "create a new one with zones 1, 2 and 3 and move its databases.",
        portal="Data Explorer cluster > Settings > Scale up > Availability zones (or create a cluster with "
               "Availability zones: 1, 2, 3).",
        cli="az kusto cluster create -g <rg> -n <cluster> --location <region> --sku name=<sku> tier=Standard "
            "--zones 1 2 3",
        iac="Bicep: Microsoft.Kusto/clusters zones: [ '1', '2', '3' ]; Terraform: azurerm_kusto_cluster zones = "
            "[\"1\", \"2\", \"3\"]",
    )
    references = (RELIABILITY_DOC, MIGRATE_DOC)

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if not zone.requirements.required("zone_redundancy"):
            return self.not_applicable(f"zone {zone.name} does not require zone redundancy")
        zones = resource.raw.get("zones")
        if zones is not None and not (isinstance(zones, list) and all(isinstance(z, str) for z in zones)):
            return self.unknown("zones (a list of availability zones)")
        listed = sorted(set(zones or []))
        status = resource.prop("zoneStatus")
        if len(listed) >= 2 and status != "ZonalInconsistency":
            return self.passed(f"spread over availability zones {', '.join(listed)}", observed=listed,
                               zone_status=status)
        return self._fail(resource, ctx, listed, status)

    def _fail(self, resource: Resource, ctx: EvaluationContext, listed: list[str], status: Any) -> Result:
        zone = ctx.zone
        if verdict := zone_support_verdict(self, ctx.inventory, resource.location, "availability zones"):
            return verdict
        if len(listed) == 1:
            observed, why = f"zones: {listed}", f"is pinned to availability zone {listed[0]} (zonal)"
        elif listed:
            observed, why = f"zones: {listed}, zoneStatus: {status}", "does not run in its configured zones"
        else:
            observed, why = "no availability zones", "uses no availability zones"
        return self.failed(
            f"Data Explorer cluster {resource.name} {why}; zone {zone.name} ({zone.strategy}) requires zone "
            "redundancy.",
            observed=observed,
            required="zones: at least two availability zones (e.g. 1, 2, 3)",
            requirement=zone.requirement("zone_redundancy"),
            zone_status=status, sku=(resource.sku or {}).get("name"),
            **region_zone_evidence(ctx.inventory, resource.location),
        )
