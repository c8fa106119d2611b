"""Live collection benchmark: `bcdr-scan collect` against the ARM emulator serving a synthetic estate.

50 subscriptions (one of them six times larger than the others, so ARM's per-subscription bucket
matters), about 6,500 resources, 50 ms added to every response, and ARM's read throttling (a token
bucket per subscription: 250 requests, 25 per second) in the emulator. Prints the wall time,
the requests made, the 429s received, and the ratio to the lower bound: the larger of
(successful requests / concurrency x latency) and the per-subscription bucket limit
(max over subscriptions of (requests - 250) / 25 s).

    python bench/bench_live.py [--subscriptions 50] [--latency-ms 50] [--concurrency 16] [--big 6]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from scanner.model import type_from_id  # noqa: E402
from tests.emulator import ArmThrottle, Emulator, Estate  # noqa: E402

REGIONS = [("westeurope", "northeurope"), ("germanywestcentral", "germanynorth"), ("eastus2", "centralus")]


def arm_doc(base: str, path: str, **fields: Any) -> dict[str, Any]:
    """An ARM document at `<base>/<path>` (path: `Namespace/type/name[/child/name...]`)."""
    rid = f"{base}/{path}"
    return {"id": rid, "name": path.rsplit("/", 1)[-1], "type": type_from_id(rid), **fields}


def subscription(sub: str, n: int, scale: int) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """One subscription; per unit of `scale`: 24 storage accounts (half geo-replicated, a third with
    a hierarchical namespace) with their blob services, 6 Cosmos DB accounts, 6 vaults, 3 SQL servers
    of 5 databases with retention policies and a failover group, 2 data factories, a Synapse workspace
    with 2 pools and their geo-backup policies, a Databricks and an ML workspace, a Backup vault protecting 8
    accounts, a Recovery Services vault with 2 protected items, and the services of `data_landing_zone`
    (160 resources)."""
    region, pair = REGIONS[n % len(REGIONS)]
    doc = {"id": f"/subscriptions/{sub}", "subscriptionId": sub, "displayName": f"sub-bench-{n:02d}",
           "state": "Enabled", "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47"}
    groups: list[dict[str, Any]] = []
    out: list[dict[str, Any]] = []
    for unit in range(scale):
        rg = f"rg-bench-{n:02d}-{unit}"
        groups.append({"id": f"/subscriptions/{sub}/resourceGroups/{rg}", "name": rg, "location": region,
                       "type": "Microsoft.Resources/resourceGroups", "tags": {"landing-zone": f"lz{n % 4}"},
                       "properties": {"provisioningState": "Succeeded"}})
        base = f"/subscriptions/{sub}/resourceGroups/{rg}/providers"
        tag = f"{n:02d}{unit}"
        for i in range(24):
            props: dict[str, Any] = {"isHnsEnabled": i % 3 == 0, "primaryLocation": region}
            if i % 2:
                props["geoReplicationStats"] = {"status": "Live", "lastSyncTime": "2026-11-20T05:55:00Z",
                                                "canFailover": True}
            account = f"Microsoft.Storage/storageAccounts/st{tag}{i:02d}"
            out.append(arm_doc(base, account, location=region, kind="StorageV2", properties=props,
                               sku={"name": "Standard_RAGZRS" if i % 2 else "Standard_LRS", "tier": "Standard"}))
            out.append(arm_doc(base, f"{account}/blobServices/default",
                               properties={"deleteRetentionPolicy": {"enabled": True, "days": 14}}))
        for i in range(6):
            out.append(arm_doc(base, f"Microsoft.DocumentDB/databaseAccounts/cosmos-{tag}-{i}", location=region,
                               kind="GlobalDocumentDB",
                               properties={"locations": [{"locationName": region, "failoverPriority": 0}]}))
            out.append(arm_doc(base, f"Microsoft.KeyVault/vaults/kv-{tag}-{i}", location=region,
                               properties={"enableSoftDelete": True, "softDeleteRetentionInDays": 90}))
        for s in range(3):
            server = f"Microsoft.Sql/servers/sql-{tag}-{s}"
            out.append(arm_doc(base, server, location=region, properties={"state": "Ready"}))
            out.append(arm_doc(base, f"{server}/failoverGroups/fog-{tag}-{s}",
                               properties={"readWriteEndpoint": {"failoverPolicy": "Automatic"}}))
            for d in range(5):
                db = f"{server}/databases/db{d}"
                out.append(arm_doc(base, db, location=region, sku={"name": "GP_Gen5_2"},
                                   properties={"zoneRedundant": True}))
                out.append(arm_doc(base, f"{db}/backupShortTermRetentionPolicies/default",
                                   properties={"retentionDays": 14}))
                out.append(arm_doc(base, f"{db}/backupLongTermRetentionPolicies/default",
                                   properties={"weeklyRetention": "P4W"}))
        for i in range(2):
            out.append(arm_doc(base, f"Microsoft.DataFactory/factories/adf-{tag}-{i}", location=region, properties={}))
        workspace = f"Microsoft.Synapse/workspaces/synw-{tag}"
        out.append(arm_doc(base, workspace, location=region, properties={}))
        for p in range(2):
            out.append(arm_doc(base, f"{workspace}/sqlPools/pool{p}", location=region, properties={"status": "Online"}))
            out.append(arm_doc(base, f"{workspace}/sqlPools/pool{p}/geoBackupPolicies/Default",
                               properties={"state": "Enabled"}))
        out.append(arm_doc(base, f"Microsoft.Databricks/workspaces/dbw-{tag}", location=pair, properties={}))
        out.append(arm_doc(base, f"Microsoft.MachineLearningServices/workspaces/mlw-{tag}", location=region,
                           properties={}))
        out += backup(base, tag, region)
        out += data_landing_zone(base, tag, region, pair)
    return doc, groups, out


def backup(base: str, tag: str, region: str) -> list[dict[str, Any]]:
    """A Backup vault with a policy protecting 8 of the unit's flat-namespace accounts (each instance also as
    the account's extension route lists it) and a Recovery Services vault with 2 SQL-in-VM protected items."""
    vault = f"Microsoft.DataProtection/backupVaults/bvault-{tag}"
    out = [arm_doc(base, vault, location=region, properties={
        "storageSettings": [{"datastoreType": "VaultStore", "type": "GeoRedundant"}],
        "securitySettings": {"softDeleteSettings": {"state": "On", "retentionDurationInDays": 14}}})]
    policy = arm_doc(base, f"{vault}/backupPolicies/blob-vaulted", properties={"policyRules": [
        {"objectType": "AzureRetentionRule", "isDefault": True, "lifecycles": [
            {"deleteAfter": {"duration": "P30D"}, "sourceDataStore": {"dataStoreType": "VaultStore"}}]}]})
    out.append(policy)
    for i in (1, 2, 4, 5, 7, 8, 10, 11):  # the accounts the collector reads the extension route of
        account = f"{base}/Microsoft.Storage/storageAccounts/st{tag}{i:02d}"
        props = {"dataSourceInfo": {"resourceID": account, "datasourceType": "Microsoft.Storage/storageAccounts/"
                                    "blobServices"}, "policyInfo": {"policyId": policy["id"]},
                 "protectionStatus": {"status": "ProtectionConfigured"}}
        out.append(arm_doc(base, f"{vault}/backupInstances/bi-{i:02d}", properties=props))
        routed = f"Microsoft.Storage/storageAccounts/st{tag}{i:02d}/providers/Microsoft.DataProtection/backupInstances"
        out.append({**arm_doc(base, f"{routed}/bi-{i:02d}", properties=props),
                    "type": "Microsoft.DataProtection/backupVaults/backupInstances"})
    rsv = f"Microsoft.RecoveryServices/vaults/rsv-{tag}"
    out.append(arm_doc(base, rsv, location=region, properties={
        "redundancySettings": {"standardTierStorageRedundancy": "GeoRedundant", "crossRegionRestore": "Enabled"},
        "securitySettings": {"softDeleteSettings": {"softDeleteState": "Enabled",
                                                    "softDeleteRetentionPeriodInDays": 14}}}))
    for d in range(2):
        item = f"{rsv}/backupFabrics/Azure/protectionContainers/VMAppContainer;vm{d}/protectedItems/SQLDataBase;db{d}"
        out.append({**arm_doc(base, item, properties={"backupManagementType": "AzureWorkload",
                                                      "protectionState": "Protected"}),
                    "type": "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems"})
    return out


def data_landing_zone(base: str, tag: str, region: str, pair: str) -> list[dict[str, Any]]:
    """A PostgreSQL server and its replica in the pair region, a MySQL server, a managed instance with 2
    databases, their retention policies and an instance failover group, an Event Hubs namespace with
    its geo-DR alias on a Dedicated cluster, a Purview account and a Data Explorer cluster following another
    (17 resources)."""
    pg = f"Microsoft.DBforPostgreSQL/flexibleServers/psql-{tag}"
    mi = f"Microsoft.Sql/managedInstances/sqlmi-{tag}"
    ns = f"Microsoft.EventHub/namespaces/evhns-{tag}"
    adx = f"Microsoft.Kusto/clusters/adx{tag}"
    out = [
        arm_doc(base, pg, location=region, sku={"name": "Standard_D4ds_v5", "tier": "GeneralPurpose"},
                properties={"backup": {"backupRetentionDays": 7, "geoRedundantBackup": "Enabled"},
                            "highAvailability": {"mode": "ZoneRedundant"}, "replicationRole": "Primary"}),
        arm_doc(base, f"{pg}-dr", location=pair, sku={"name": "Standard_D4ds_v5", "tier": "GeneralPurpose"},
                properties={"replicationRole": "GeoAsyncReplica", "sourceServerResourceId": f"{base}/{pg}"}),
        arm_doc(base, f"Microsoft.DBforMySQL/flexibleServers/mysql-{tag}", location=region,
                sku={"name": "Standard_D2ds_v4", "tier": "GeneralPurpose"},
                properties={"backup": {"backupRetentionDays": 7, "geoRedundantBackup": "Disabled"},
                            "highAvailability": {"mode": "SameZone"}, "replicationRole": "None"}),
        arm_doc(base, mi, location=region, sku={"name": "GP_Gen5", "tier": "GeneralPurpose"},
                properties={"zoneRedundant": False, "requestedBackupStorageRedundancy": "Geo"}),
        arm_doc(base, f"Microsoft.Sql/locations/{region}/instanceFailoverGroups/fog-{tag}",
                properties={"replicationRole": "Primary", "partnerRegions": [{"location": pair}],
                            "managedInstancePairs": [{"primaryManagedInstanceId": f"{base}/{mi}",
                                                      "partnerManagedInstanceId": f"{base}/{mi}-dr"}]}),
        arm_doc(base, ns, location=region, sku={"name": "Standard", "tier": "Standard"},
                properties={"zoneRedundant": True, "clusterArmId": f"{base}/Microsoft.EventHub/clusters/evhc-{tag}"}),
        arm_doc(base, f"Microsoft.EventHub/clusters/evhc-{tag}", location=region,
                sku={"name": "Dedicated", "capacity": 3}, properties={"status": "Active"}),
        arm_doc(base, f"{ns}/disasterRecoveryConfigs/alias-{tag}",
                properties={"role": "Primary", "partnerNamespace": f"evhns-{tag}-dr"}),
        arm_doc(base, f"Microsoft.Purview/accounts/pview-{tag}", location=region, properties={}),
        arm_doc(base, adx, location=region, zones=["1", "2", "3"], properties={"zoneStatus": "Zonal"}),
        arm_doc(base, f"{adx}/attachedDatabaseConfigurations/follow", location=region,
                properties={"clusterResourceId": f"{base}/{adx}-leader", "databaseName": "*"}),
    ]
    for d in range(2):
        db = f"{mi}/databases/db{d}"
        out += [arm_doc(base, db, location=region, properties={"status": "Online"}),
                arm_doc(base, f"{db}/backupShortTermRetentionPolicies/default", properties={"retentionDays": 7}),
                arm_doc(base, f"{db}/backupLongTermRetentionPolicies/default", properties={"weeklyRetention": "P4W"})]
    return out


def synthetic_estate(subscriptions: int, big: int) -> Estate:
    estate = Estate()
    for n in range(subscriptions):
        sub = str(uuid.UUID(int=0x6F1E2D3C_4B5A_4C6D_8E7F_000000000000 + n))
        doc, groups, resources = subscription(sub, n, big if n == 0 else 1)
        estate.subscriptions.append(doc)
        estate.resource_groups += groups
        estate.resources += resources
    estate.locations = [{"id": "/subscriptions/x/locations/westeurope", "name": "westeurope", "type": "Region",
                         "metadata": {"regionType": "Physical", "pairedRegion": [{"name": "northeurope"}]},
                         "availabilityZoneMappings": [{"logicalZone": "1", "physicalZone": "westeurope-az1"}]}]
    return estate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscriptions", type=int, default=50)
    parser.add_argument("--big", type=int, default=6, help="size of the first subscription, in normal ones")
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()

    estate = synthetic_estate(args.subscriptions, args.big)
    latency = args.latency_ms / 1000
    throttle = ArmThrottle(capacity=250, rate=25.0)
    with Emulator(estate, latency=latency, throttle=throttle, page_size=args.page_size, shift_times=False) as arm, \
            tempfile.TemporaryDirectory() as tmp:
        snapshot = Path(tmp) / "estate.json.gz"
        env = {**os.environ, "BCDR_SCAN_TOKEN": arm.token, "REQUESTS_CA_BUNDLE": arm.ca_file}
        started = time.monotonic()
        run = subprocess.run([sys.executable, "-m", "scanner", "collect", "-q", "--output", str(snapshot),
                              "--arm-endpoint", arm.url, "--max-concurrency", str(args.concurrency)],
                             cwd=REPO, env=env, capture_output=True, text=True, check=False)
        wall = time.monotonic() - started
        if run.returncode not in (0, 3):
            sys.exit(f"collect failed ({run.returncode}): {run.stderr}")
        collected = json.loads(gzip.decompress(snapshot.read_bytes()))
    ok = [r for r in arm.requests if r.status == 200]
    per_sub = Counter(r.path.split("/")[2] if r.path.count("/") >= 2 else "tenant" for r in ok)
    concurrency_bound = len(ok) / args.concurrency * latency
    bucket_bound = max(max(0, n - throttle.capacity) / throttle.rate for n in per_sub.values())
    bound = max(concurrency_bound, bucket_bound)
    print(f"estate:            {args.subscriptions} subscriptions, {len(estate.resources)} resources "
          f"(largest subscription: {per_sub.most_common(1)[0][1]} requests)")
    print(f"collected:         {len(collected['resources'])} resources, {len(collected['gaps'])} read gaps")
    print(f"wall time:         {wall:.2f} s (collector alone: {collected['source']['duration_seconds']:.2f} s)")
    print(f"requests made:     {len(arm.requests)} ({len(ok)} answered 200)")
    print(f"429s received:     {arm.count(status=429)}")
    print(f"lower bound:       {bound:.2f} s = max(requests/concurrency x latency = {concurrency_bound:.2f} s, "
          f"per-subscription bucket = {bucket_bound:.2f} s)")
    print(f"ratio to bound:    {wall / bound:.2f} (wall), "
          f"{collected['source']['duration_seconds'] / bound:.2f} (collector alone)")


if __name__ == "__main__":
    main()
