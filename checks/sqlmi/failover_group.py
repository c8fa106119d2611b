from __future__ import annotations

from checks.sqlmi._instance import (
    FAILOVER_GROUP_DOC,
    RELIABILITY_DOC,
    ManagedInstanceCheck,
    group_roles,
)
from scanner.check import EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource
from scanner.policy import Strategy


class ManagedInstanceFailoverGroupCheck(ManagedInstanceCheck):
    id = "SQLMI-001"
    title = "SQL managed instance has no failover group to another region"
    severity = Severity.HIGH
    rationale = (
        "A managed instance runs in one region. A warm or hot spare needs its databases replicated to an instance "
        "in another region that can take over: an instance failover group, which geo-replicates every user "
        "database and keeps one listener name across a failover. Without one, the way back from a regional "
        "outage is geo-restore from backups, which takes hours. A backup-restore zone relies on geo-redundant "
        "backup storage instead (SQLMI-002). The geo-secondary of a group is the copy itself."
    )
    guidance = (
        "Warm Spare (Active/Passive): A secondary hosted service is created in an alternate region, and roles are "
        "deployed to guarantee minimal capacity; however, the roles don't receive production traffic."
    )
    logic = {
        "redeploy": "not applicable",
        "backup-restore": "not applicable (geo-redundant backup storage, SQLMI-002, is the copy)",
        "warm-spare": "fail when the instance is the primary of no instance failover group whose partner is in "
                      "another region; unknown when a group's partner region is recorded nowhere; not applicable "
                      "to a group's geo-secondary, or when the zone overrides geo_redundancy to optional",
        "hot-spare": "as warm-spare",
    }
    remediation = Remediation(
        summary="Create a managed instance in the zone's secondary region (same tier, hardware and size, with a "
                "globally peered network) and an instance failover group between the two.",
        portal="SQL managed instance > Data management > Failover groups > Add group (secondary instance in the "
               "secondary region).",
        cli="az sql instance-failover-group create -g <rg> -n <group> --mi <instance> --partner-mi <secondary> "
            "--partner-resource-group <dr-rg> --failover-policy Automatic --grace-period 1",
        iac="Bicep: Microsoft.Sql/locations/instanceFailoverGroups (managedInstancePairs: primaryManagedInstanceId, "
            "partnerManagedInstanceId; partnerRegions); Terraform: azurerm_mssql_managed_instance_failover_group",
    )
    references = (FAILOVER_GROUP_DOC, RELIABILITY_DOC)

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if not zone.strategy.at_least(Strategy.WARM_SPARE):
            return self.not_applicable(f"zone {zone.name} ({zone.strategy}) relies on geo-redundant backups "
                                       "(SQLMI-002), not on a live copy")
        if not zone.requirements.required("geo_redundancy"):
            return self.not_applicable(f"zone {zone.name} does not require geo-redundancy")
        groups = group_roles(ctx, resource)
        if secondary := self.secondary_verdict(groups):
            return secondary
        if groups.copies:
            return self.passed(f"replicated to another region: {'; '.join(groups.copies)}",
                               observed=list(groups.copies))
        if groups.gap:
            return self.unknown("instance failover groups of the zone", groups.gap)
        if groups.undecided:
            return self.unknown(f"the partner region of {'; '.join(groups.undecided)}")
        return self.failed(
            f"managed instance {resource.name} in {resource.location} is in no failover group with an instance in "
            f"another region; zone {zone.name} ({zone.strategy}) requires a live copy that can take over",
            observed="; ".join(groups.same_region) or "no instance failover group",
            required="an instance failover group with a partner in another region"
                     + (f" ({zone.secondary_region})" if zone.secondary_region else ""),
            requirement=zone.requirement("geo_redundancy"),
        )
