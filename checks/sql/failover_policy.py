from __future__ import annotations

from collections.abc import Mapping

from checks.sql._common import GUIDANCE_SQL, SqlDatabaseCheck, failover_groups_of
from scanner.check import EvaluationContext, Remediation, Result, Severity, Status
from scanner.model import Resource
from scanner.policy import Zone, format_duration


class SqlFailoverGroupPolicyCheck(SqlDatabaseCheck):
    id = "SQL-002"
    title = "SQL failover group does not fail over automatically within the RTO"
    severity = Severity.MEDIUM
    rationale = (
        "A failover group's read-write listener moves to the secondary on its own only when the "
        "group's read-write failover policy is Automatic, and even then only after the grace period "
        "(failoverWithDataLossGracePeriodMinutes, at least 60 minutes) has passed without the primary "
        "recovering. With a Manual policy recovery waits for an operator to notice the outage and "
        "start the failover. Where the zone requires automatic failover, a Manual policy is a "
        "finding; an Automatic policy whose grace period is longer than the zone's RTO guarantees the "
        "RTO is missed before failover even starts, which is worse (high)."
    )
    guidance = (
        f"{GUIDANCE_SQL}\n\n"
        "Hot Spare (Active/Active): ... These include low and guaranteed recovery time, continuous testing "
        "of all recovery locations, and efficient usage of capacity. For database applications, this "
        "includes a load balancer that sits over top of two databases that are kept in sync with a single "
        "connection point."
    )
    logic = {
        "redeploy": "not applicable unless the zone overrides automatic_failover to required",
        "backup-restore": "not applicable unless the zone overrides automatic_failover to required",
        "warm-spare": "not applicable unless the zone overrides automatic_failover to required",
        "hot-spare": "for a database in a failover group: fail (medium) when the read-write failover policy "
                     "is Manual, fail (high) when it is Automatic with a grace period longer than the RTO; "
                     "not applicable when the database is in no failover group (SQL-001 covers it)",
    }
    remediation = Remediation(
        summary="Set the failover group's read-write failover policy to Automatic with a grace period that "
                "fits inside the zone's RTO (the minimum is 60 minutes; an RTO under an hour needs a "
                "monitored, scripted customer-initiated failover instead).",
        portal="SQL server > Data management > Failover groups > <group> > Edit configuration > Read/write "
               "failover policy: Automatic, Read/write grace period (hours).",
        cli="az sql failover-group update -g <rg> -s <primary-server> -n <group> --failover-policy Automatic "
            "--grace-period 1",
        iac="Bicep: readWriteEndpoint: { failoverPolicy: 'Automatic', failoverWithDataLossGracePeriodMinutes: 60 }"
            "; Terraform: azurerm_mssql_failover_group read_write_endpoint_failover_policy { mode = \"Automatic\", "
            "grace_minutes = 60 }",
    )
    references = (
        "https://learn.microsoft.com/azure/azure-sql/database/failover-group-sql-db",
        "https://learn.microsoft.com/azure/azure-sql/database/failover-group-configure-sql-db",
        "https://learn.microsoft.com/azure/azure-sql/database/business-continuity-high-availability-disaster-recover-hadr-overview",
    )

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        zone = ctx.zone
        if not zone.requirements.required("automatic_failover"):
            return self.not_applicable(f"zone {zone.name} does not require automatic failover")
        groups = failover_groups_of(ctx.inventory, resource)
        if not groups.items:
            if groups.gap:
                return self.unknown("the failover groups of the server", groups.gap)
            return self.not_applicable("the database is in no failover group (SQL-001 judges missing replicas)")
        verdicts = [self._judge_group(group, zone) for group in groups.items]
        failures = sorted((v for v in verdicts if v.status == Status.FAIL),
                          key=lambda v: -(v.severity or self.severity).rank)
        if failures:
            return failures[0]
        unknown = next((v for v in verdicts if v.status == Status.UNKNOWN), None)
        if unknown:
            return unknown
        if groups.gap:
            # Another group, unread, may hold the database with a Manual policy.
            return self.unknown("the failover groups of the server", groups.gap)
        names = ", ".join(g.name for g in groups.items)
        return self.passed(f"failover group {names} fails over automatically within the RTO "
                           f"({format_duration(zone.rto)})", observed="; ".join(v.message for v in verdicts))

    def _judge_group(self, group: Resource, zone: Zone) -> Result:
        endpoint = group.prop("readWriteEndpoint")
        policy = endpoint.get("failoverPolicy") if isinstance(endpoint, Mapping) else None
        if not isinstance(policy, str) or not policy:
            return self.unknown(f"readWriteEndpoint.failoverPolicy of failover group {group.name}")
        required = f"Automatic, grace period <= {format_duration(zone.rto)} (the zone's RTO)"
        if policy.lower() == "manual":
            return self.failed(
                f"failover group {group.name} has a Manual read-write failover policy: after an outage the "
                f"database stays down until someone fails over; zone {zone.name} requires automatic failover",
                observed=f"Manual (failover group {group.name})", required=required,
                requirement=zone.requirement("automatic_failover"), failover_group=group.id)
        if policy.lower() != "automatic":
            return self.unknown(f"a known read-write failover policy of failover group {group.name} "
                                f"(got {policy!r})")
        grace = endpoint.get("failoverWithDataLossGracePeriodMinutes")
        if isinstance(grace, bool) or not isinstance(grace, int):
            return self.unknown(f"readWriteEndpoint.failoverWithDataLossGracePeriodMinutes of failover group "
                                f"{group.name}")
        if grace * 60 > zone.rto.total_seconds():
            return self.failed(
                f"failover group {group.name} waits {grace} minutes before failing over, longer than zone "
                f"{zone.name}'s RTO of {format_duration(zone.rto)}",
                observed=f"Automatic, grace period {grace} minutes (failover group {group.name})",
                required=required, requirement=zone.requirement("automatic_failover"),
                severity=Severity.HIGH, failover_group=group.id, rto=format_duration(zone.rto))
        return self.passed(f"Automatic, grace period {grace} minutes (failover group {group.name})")
