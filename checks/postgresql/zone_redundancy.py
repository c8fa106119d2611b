from __future__ import annotations

from checks._flexible_servers import GUIDANCE_HA, ZoneRedundantHaCheck
from checks.postgresql._server import CONTINUITY_DOC, HA_DOC, REPLICA_DOC, PostgreSqlMetadata
from scanner.check import Remediation, Severity
from scanner.model import Resource


class PostgreSqlZoneRedundancyCheck(PostgreSqlMetadata, ZoneRedundantHaCheck):
    id = "PG-002"
    title = "PostgreSQL server has no zone-redundant high availability"
    severity = Severity.MEDIUM
    rationale = (
        "Without high availability, or with a standby in the same availability zone, a zone outage takes the "
        "server down until it is restored from backup into another zone. Zone-redundant high availability keeps a "
        "synchronous standby in another zone and fails over automatically (RTO under 120 seconds, no data loss). "
        "It is not offered in the Burstable tier nor in regions with a single zone, and read replicas cannot have "
        "high availability."
    )
    guidance = GUIDANCE_HA
    logic = {
        "redeploy": "not applicable unless the zone overrides zone_redundancy to required",
        "backup-restore": "not applicable unless the zone overrides zone_redundancy to required",
        "warm-spare": "not applicable unless the zone overrides zone_redundancy to required",
        "hot-spare": "fail when highAvailability.mode is not ZoneRedundant (Disabled, SameZone); not applicable to "
                     "Burstable servers (no zone-redundant HA in that tier) and to read replicas (no HA on "
                     "replicas) and in a region without availability zones; unknown when the region is not known",
    }
    remediation = Remediation(
        summary="Enable high availability with the standby in another availability zone (the General Purpose and "
                "Memory Optimized tiers; scale a Burstable server up first). Availability zones can be added to an "
                "existing server.",
        portal="PostgreSQL flexible server > Settings > High availability > Enable high availability: Zone redundant.",
        cli="az postgres flexible-server update -g <rg> -n <server> --high-availability ZoneRedundant",
        iac="Bicep: properties.highAvailability: { mode: 'ZoneRedundant' }; Terraform: "
            "azurerm_postgresql_flexible_server high_availability { mode = \"ZoneRedundant\" }",
    )
    references = (HA_DOC, CONTINUITY_DOC, REPLICA_DOC)
    burstable_reason = ("Burstable tier: zone-redundant high availability is not supported in this tier (the "
                        "General Purpose and Memory Optimized tiers have it)")

    def how_to_enable(self, server: Resource) -> str:
        return "Enable zone-redundant high availability on the server."
