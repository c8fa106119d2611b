from __future__ import annotations

from checks._flexible_servers import GUIDANCE_HA, ZoneRedundantHaCheck
from checks.mysql._server import (
    CONTINUITY_DOC,
    HA_DOC,
    HA_FAQ,
    MySqlMetadata,
    has_zone_redundant_storage,
)
from scanner.check import Remediation, Severity
from scanner.model import Resource


class MySqlZoneRedundancyCheck(MySqlMetadata, ZoneRedundantHaCheck):
    id = "MY-002"
    title = "MySQL server has no zone-redundant high availability"
    severity = Severity.MEDIUM
    rationale = (
        "Without high availability, or with the standby in the same zone, a zone outage takes the server down "
        "until it is restored elsewhere. Zone-redundant high availability keeps a standby in another zone on "
        "zone-redundant storage and fails over automatically in 60 to 120 seconds without data loss. It is not "
        "offered in the Burstable tier, and it can only be chosen when the server is created (Microsoft documents "
        "an exception for new Business Critical servers created in January 2025). Read replicas are judged through "
        "their source server."
    )
    guidance = GUIDANCE_HA
    logic = {
        "redeploy": "not applicable unless the zone overrides zone_redundancy to required",
        "backup-restore": "not applicable unless the zone overrides zone_redundancy to required",
        "warm-spare": "not applicable unless the zone overrides zone_redundancy to required",
        "hot-spare": "fail when highAvailability.mode is not ZoneRedundant (Disabled, SameZone); not applicable to "
                     "Burstable servers (no high availability in that tier), to read replicas and in a region without "
                     "availability zones; unknown when the region is not known",
    }
    remediation = Remediation(
        summary="Run the server with zone-redundant high availability. It is chosen at creation: a server created "
                "with it (zone-redundant storage) can switch back to it; any other needs a new server created with "
                "zone-redundant HA (General Purpose or Business Critical) and its data moved.",
        portal="MySQL flexible server > Settings > High availability > Zone redundant (servers created with it); "
               "otherwise Create > Azure Database for MySQL flexible server > High availability: Zone redundant.",
        cli="az mysql flexible-server update -g <rg> -n <server> --high-availability ZoneRedundant; or "
            "az mysql flexible-server create ... --high-availability ZoneRedundant",
        iac="Bicep: properties.highAvailability: { mode: 'ZoneRedundant' } at creation; Terraform: "
            "azurerm_mysql_flexible_server high_availability { mode = \"ZoneRedundant\" }",
    )
    references = (HA_DOC, HA_FAQ, CONTINUITY_DOC)
    burstable_reason = "Burstable tier: high availability is not supported in this tier"

    def how_to_enable(self, server: Resource) -> str:
        if has_zone_redundant_storage(server):
            return "The server was created with zone-redundant HA (zone-redundant storage): switch HA back to it."
        return ("Zone-redundant HA is chosen at server creation: create a server with it and move the data (Microsoft "
                "documents an exception for new Business Critical servers created in January 2025).")
