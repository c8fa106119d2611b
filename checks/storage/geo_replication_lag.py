from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from checks.storage._replication import (
    CLOCK_SKEW,
    GEO_REDUNDANT,
    STORAGE_ACCOUNT,
    human_duration,
    parse_timestamp,
    replication,
    sku_name,
)
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity, Status
from scanner.model import Resource
from scanner.policy import Zone, format_duration

_STATS = "geoReplicationStats"


class StorageGeoReplicationLagCheck(Check):
    id = "STG-004"
    title = "Geo-replication lags behind the zone's RPO"
    service = "Storage"
    resource_type = STORAGE_ACCOUNT
    severity = Severity.HIGH
    rationale = (
        "Geo-replication is asynchronous. Writes made after the last sync time are not yet in the secondary "
        "region and are lost if the account is failed over now: the real recovery point is the scan time "
        "minus lastSyncTime. When that lag is longer than the landing zone's RPO the objective is already "
        "broken (high). A replication status other than Live (Bootstrap after a redundancy change, "
        "Unavailable during an incident) means the secondary is not a usable copy yet (medium). When both "
        "hold, the finding is reported once at the worse severity (high). A lastSyncTime later than the scan time "
        "(beyond five minutes of clock skew) measures no lag: unknown, never a pass."
    )
    guidance = (
        "Each Data Landing Zone must decide on the Recovery Point Objective for their Data Integration(s) and "
        "Data Products and defined a replication strategy for their use cases."
    )
    logic = {
        "redeploy": "geo-replicated accounts: fail when lastSyncTime is older than the zone's RPO at scan time "
                    "(high) or the status is not Live (medium)",
        "backup-restore": "geo-replicated accounts: fail when lastSyncTime is older than the zone's RPO at scan "
                          "time (high) or the status is not Live (medium)",
        "warm-spare": "geo-replicated accounts: fail when lastSyncTime is older than the zone's RPO at scan time "
                      "(high) or the status is not Live (medium)",
        "hot-spare": "geo-replicated accounts: fail when lastSyncTime is older than the zone's RPO at scan time "
                     "(high) or the status is not Live (medium)",
    }
    remediation = Remediation(
        summary="Find why replication lags (write bursts, large block uploads, an ongoing redundancy "
                "conversion or a service incident), alert on the Geo Replication lag metric, and re-check the "
                "RPO: where geo-replication cannot meet it, copy data to the other region yourself (dual load "
                "or object replication).",
        portal="Storage account > Data management > Redundancy (Last sync time, replication status); "
               "Monitoring > Alerts > new alert rule on the 'Last sync time' / geo-replication lag signal.",
        cli="az storage account show --resource-group <rg> --name <account> --expand geoReplicationStats "
            "--query geoReplicationStats",
        iac="No property sets the lag. Bicep: add a Microsoft.Insights/metricAlerts resource on the account; "
            "Terraform: azurerm_monitor_metric_alert scoped to the account.",
    )
    references = (
        "https://learn.microsoft.com/azure/storage/common/last-sync-time-get",
        "https://learn.microsoft.com/azure/storage/common/storage-disaster-recovery-guidance",
        "https://learn.microsoft.com/azure/storage/common/storage-redundancy",
    )

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        kind = replication(resource)
        if kind is None:
            return self.unknown("sku.name (replication setting)")
        if kind not in GEO_REDUNDANT:
            return self.not_applicable(f"{sku_name(resource)} is not geo-replicated")
        stats = resource.prop(_STATS)
        if not isinstance(stats, Mapping):
            return self.unknown(f"properties.{_STATS} (read with $expand={_STATS})",
                                ctx.inventory.gap(resource, _STATS))
        return self._judge(resource, ctx.zone, stats, ctx.scan_time)

    def _judge(self, resource: Resource, zone: Zone, stats: Mapping[str, Any], scan_time: datetime) -> Result:
        status = stats.get("status")
        if status is not None and not isinstance(status, str):
            return self.unknown(f"{_STATS}.status (a replication status such as Live, not {type(status).__name__})")
        raw_sync = stats.get("lastSyncTime")
        last_sync = parse_timestamp(raw_sync)
        if last_sync is not None and last_sync - scan_time > CLOCK_SKEW:
            return Result(Status.UNKNOWN, f"cannot judge: {_STATS}.lastSyncTime {raw_sync} is later than the scan "
                          f"time {scan_time.isoformat()}: no lag can be measured from it", {
                              "missing": f"a {_STATS}.lastSyncTime before the scan time",
                              "lastSyncTime": raw_sync, "scan_time": scan_time.isoformat().replace("+00:00", "Z")})
        # Within the skew allowed, a sync "after" the scan is a clock difference: no lag.
        lag = max(scan_time - last_sync, timedelta(0)) if last_sync else None
        rpo = format_duration(zone.rpo)
        evidence: dict[str, Any] = {
            "status": status, "lastSyncTime": raw_sync, "rpo": rpo,
            "lag": human_duration(lag) if lag is not None else None,
            "lag_seconds": int(lag.total_seconds()) if lag is not None else None,
            "scan_time": scan_time.isoformat().replace("+00:00", "Z"),
        }
        requirement = f"rpo={rpo} ({zone.strategy} zone {zone.name})"
        not_live = isinstance(status, str) and status.lower() != "live"
        if lag is not None and lag > zone.rpo:
            # The RPO is broken whatever the status says: one finding, at the worse severity (high).
            state = f" and replication status is {status}" if not_live else ""
            return self.failed(
                f"the secondary copy of {resource.name} is {human_duration(lag)} behind (last sync {raw_sync}){state}: "
                f"a failover now would lose more than the zone's RPO of {rpo}",
                observed=f"{human_duration(lag)} since lastSyncTime", required=f"at most {rpo} behind",
                requirement=requirement, **evidence)
        if not_live:
            return self.failed(
                f"geo-replication of {resource.name} is {status}, not Live: the secondary region holds no usable "
                f"copy yet (last sync {raw_sync or 'not reported'})",
                observed=f"status {status}", required=f"status Live, at most {rpo} behind",
                requirement=requirement, severity=Severity.MEDIUM, **evidence)
        if status is None or lag is None:
            missing = "geoReplicationStats.status" if status is None else "geoReplicationStats.lastSyncTime"
            return self.unknown(f"{missing} of a geo-replicated account")
        return self.passed(f"geo-replication is Live, {human_duration(lag)} behind (RPO {rpo})", **evidence)
