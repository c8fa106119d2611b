"""Source-map benchmark: how many findings land on the IaC that deploys their resource, on a template set.

Given a directory of Bicep / ARM JSON / Terraform (a copy of a public landing-zone template set),
the bench builds a snapshot of the resources those templates deploy, named as the deployment
would name them. The names come from a table written here by reading the templates and their
parameters files (EXPECTED below), not from the mapper, so the mapper is measured against an
independent answer. It then runs

    bcdr-scan scan --snapshot S --policy P --source-root DIR --format sarif

with a policy and resource properties that make the checks fail, and prints the findings total,
mapped / ambiguous / unmapped, the mapping rate, how many mapped findings point at a file other
than the one the table expects (wrong), and the time to index the tree (best of --repeat).

Without a directory it runs on the bundled fixtures/sample-iac against the sample estate and
policy (no table: that fixture's expected files and lines are asserted by tests/iac/).

With --with-state, a set with Terraform rows is scanned a second time with a `terraform show -json`
state written from the same table (exact names and ids at their module addresses), as a pipeline
that keeps its plan would pass with --terraform-plan.

    python bench/bench_source_map.py [DIR] [--set data-landing-zone|...] [--repeat 3] [--with-state] [--keep FILE]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SUBSCRIPTION = "00000000-0000-4000-8000-00000000b001"
REGION, PAIR = "northeurope", "westeurope"


@dataclass(frozen=True)
class Expected:
    """A resource the template set deploys: ARM type, full name (`server/db` for a child), its resource
    group and the file (relative to the set's directory) whose declaration deploys it."""

    type: str
    name: str
    group: str
    file: str
    address: str = ""  # Terraform: its address in a `terraform show -json` state of the deployment


def _dlz() -> list[Expected]:
    """Azure/data-landing-zone infra/ with params.dev.json: prefix dlz01, environment dev, so
    name = 'dlz01-dev', groups '<name>-storage' ...; storage names have their dashes removed."""
    storage, services = "infra/modules/services/storage.bicep", "infra/modules/services/"
    rows = [Expected("Microsoft.Storage/storageAccounts", account, "dlz01-dev-storage", storage)
            for account in ("dlz01devraw", "dlz01devencur", "dlz01devwork")]
    rows += [Expected("Microsoft.Storage/storageAccounts", "dlz01devext001", "dlz01-dev-externalstorage",
                      services + "externalstorage.bicep")]
    rows += [Expected("Microsoft.KeyVault/vaults", f"dlz01-dev-vault00{i}", group, services + "keyvault.bicep")
             for i, group in ((1, "dlz01-dev-metadata"), (2, "dlz01-dev-metadata"), (3, "dlz01-dev-logging"))]
    rows += [Expected(kind, f"dlz01-dev-{name}", f"dlz01-dev-{group}", services + file) for kind, name, group, file in (
        ("Microsoft.Sql/servers", "sqlserver001", "metadata", "sql.bicep"),
        ("Microsoft.Sql/servers/databases", "sqlserver001/AdfMetastoreDb", "metadata", "sql.bicep"),
        ("Microsoft.DataFactory/factories", "runtime-datafactory001", "runtimes", "datafactoryruntime.bicep"),
        ("Microsoft.DataFactory/factories", "integration-datafactory001", "shared-integration",
         "datafactorysharedintegration.bicep"),
        ("Microsoft.Databricks/workspaces", "integration-databricks001", "shared-integration", "databricks.bicep"),
        ("Microsoft.EventHub/namespaces", "integration-eventhub001", "shared-integration", "eventhubnamespace.bicep"),
        ("Microsoft.Databricks/workspaces", "product-databricks001", "shared-product", "databricks.bicep"),
        ("Microsoft.Synapse/workspaces", "product-synapse001", "shared-product", "synapse.bicep"),
        ("Microsoft.Synapse/workspaces/sqlPools", "product-synapse001/sqlPool001", "shared-product", "synapse.bicep"))]
    return rows


def _dmz() -> list[Expected]:
    """Azure/data-management-zone infra/ with params.dev.json: prefix dmz, environment dev."""
    services = "infra/modules/services/"
    return [Expected("Microsoft.Purview/accounts", "dmz-dev-purview001", "dmz-dev-governance",
                     services + "purview.bicep"),
            Expected("Microsoft.KeyVault/vaults", "dmz-dev-vault001", "dmz-dev-governance",
                     services + "keyvault.bicep")]


def _batch() -> list[Expected]:
    """Azure/data-product-batch infra/ with params.dev.json (prefix int01, environment dev, sqlFlavour sql),
    deployed into a data landing zone's integration group (the group is the deployment's, not the template's);
    the Synapse SQL pool is off (enableSqlPool defaults to false)."""
    group, services = "dlz01-dev-di001", "infra/modules/services/"
    return [
        Expected("Microsoft.KeyVault/vaults", "int01-dev-vault001", group, services + "keyvault.bicep"),
        Expected("Microsoft.Synapse/workspaces", "int01-dev-synapse001", group, services + "synapse.bicep"),
        Expected("Microsoft.DataFactory/factories", "int01-dev-datafactory001", group, services + "datafactory.bicep"),
        Expected("Microsoft.DocumentDB/databaseAccounts", "int01-dev-cosmos001", group, services + "cosmosdb.bicep"),
        Expected("Microsoft.Sql/servers", "int01-dev-sqlserver001", group, services + "sql.bicep"),
        Expected("Microsoft.Sql/servers/databases", "int01-dev-sqlserver001/Database001", group,
                 services + "sql.bicep"),
    ]


def _streaming() -> list[Expected]:
    """Azure/data-product-streaming infra/ with params.dev.json (prefix int02, environment dev; Cosmos DB, SQL
    and the SQL pool on), deployed into a data landing zone's second integration group. Its Key Vault
    module (modules/services/keyvault.bicep) is not in the copy, so the vault is left out of the table."""
    group, services = "dlz01-dev-di002", "infra/modules/services/"
    return [Expected(kind, f"int02-dev-{name}", group, services + file) for kind, name, file in (
        ("Microsoft.Synapse/workspaces", "synapse001", "synapse.bicep"),
        ("Microsoft.Synapse/workspaces/sqlPools", "synapse001/sqlPool001", "synapse.bicep"),
        ("Microsoft.DocumentDB/databaseAccounts", "cosmos001", "cosmosdb.bicep"),
        ("Microsoft.Sql/servers", "sqlserver001", "sql.bicep"),
        ("Microsoft.Sql/servers/databases", "sqlserver001/Database001", "sql.bicep"),
        ("Microsoft.EventHub/namespaces", "eventhub001", "eventhubnamespace.bicep"))]


def _batch_arm() -> list[Expected]:
    """Azure/data-product-batch's ARM layout: infra/CosmosDb/deploy.cosmosDb.json with params.cosmosDb001.json."""
    return [Expected("Microsoft.DocumentDB/databaseAccounts", "datalandingz-cosmos001", "datalandingz-rg",
                     "infra/CosmosDb/deploy.cosmosDb.json")]


def _hmcts() -> list[Expected]:
    """hmcts/terraform-module-data-landing-zone with env = 'stg' and the default name 'datalanding': storage
    accounts and metadata vaults are declared by git-hosted modules (cnp-module-storage-account,
    cnp-module-key-vault) that take these names as arguments; their resource blocks are not in the tree."""
    rows = [Expected("Microsoft.Storage/storageAccounts", f"datalanding{key}stg", "datalanding-storage-stg",
                     "storage.tf", f'module.storage["{key}"].azurerm_storage_account.{INSIDE_MODULE}')
            for key in ("raw", "curated", "workspace", "landing", "xcutting")]
    rows += [Expected("Microsoft.KeyVault/vaults", f"datalanding-{vault}-stg", "datalanding-metadata-stg",
                      "metadata.tf", f'module.metadata_vault["{vault}"].azurerm_key_vault.{INSIDE_MODULE}')
             for vault in ("meta001", "meta002")]
    return rows


INSIDE_MODULE = "this"  # the label of a resource block inside a git-hosted module: not in the tree, a placeholder



SETS = {"data-landing-zone": _dlz, "data-management-zone": _dmz, "data-product-batch": _batch,
        "data-product-streaming": _streaming, "data-product-batch-arm": _batch_arm, "hmcts-data-landing-zone": _hmcts}


def _together() -> list[Expected]:
    """Every set above in one tree, each in a directory of its name (a platform team's monorepo): names
    that one set's defaults leave as patterns (`*-vault001`) now meet the other sets' declarations."""
    return [Expected(r.type, r.name, r.group, f"{name}/{r.file}", r.address) for name, rows in SETS.items()
            for r in rows()]


EXPECTED = {**SETS, "together": _together}


# --- the snapshot: each resource with properties its checks fail on -----------------------------
FAILING_PROPERTIES: dict[str, dict[str, Any]] = {
    "microsoft.storage/storageaccounts": {"kind": "StorageV2", "sku": {"name": "Standard_LRS", "tier": "Standard"},
                                          "properties": {"isHnsEnabled": True, "primaryLocation": REGION}},
    "microsoft.keyvault/vaults": {"properties": {"tenantId": SUBSCRIPTION, "sku": {"family": "A", "name": "standard"},
                                                 "enableSoftDelete": True, "softDeleteRetentionInDays": 7,
                                                 "enablePurgeProtection": False}},
    "microsoft.sql/servers": {"kind": "v12.0", "properties": {"version": "12.0", "state": "Ready"}},
    "microsoft.sql/servers/databases": {"sku": {"name": "Basic", "tier": "Basic"},
                                        "properties": {"zoneRedundant": False, "status": "Online",
                                                       "requestedBackupStorageRedundancy": "Local",
                                                       "currentBackupStorageRedundancy": "Local"}},
    "microsoft.documentdb/databaseaccounts": {"kind": "GlobalDocumentDB", "properties": {
        "enableAutomaticFailover": False, "enableMultipleWriteLocations": False,
        "locations": [{"locationName": REGION, "failoverPriority": 0, "isZoneRedundant": False}],
        "backupPolicy": {"type": "Periodic", "periodicModeProperties": {
            "backupIntervalInMinutes": 240, "backupRetentionIntervalInHours": 8, "backupStorageRedundancy": "Local"}}}},
    "microsoft.eventhub/namespaces": {"sku": {"name": "Standard", "tier": "Standard"},
                                      "properties": {"zoneRedundant": False}},
    "microsoft.databricks/workspaces": {"sku": {"name": "premium"}, "properties": {
        "parameters": {"storageAccountSkuName": {"type": "String", "value": "Standard_LRS"}}}},
}


def resource_id(row: Expected) -> str:
    namespace, *kinds = row.type.split("/")
    names = row.name.split("/")
    path = "/".join(f"{kind}/{name}" for kind, name in zip(kinds, names, strict=True))
    return f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{row.group}/providers/{namespace}/{path}"


def documents(row: Expected) -> list[dict[str, Any]]:
    shape = FAILING_PROPERTIES.get(row.type.lower(), {"properties": {}})
    document = {"id": resource_id(row), "name": row.name.rsplit("/", 1)[-1], "type": row.type, "location": REGION,
                **json.loads(json.dumps(shape))}
    found = [document]
    if row.type.lower() == "microsoft.storage/storageaccounts":  # the blob service the STG-005/006/008 checks read
        found.append({"id": document["id"] + "/blobServices/default", "name": "default",
                      "type": "Microsoft.Storage/storageAccounts/blobServices",
                      "properties": {"deleteRetentionPolicy": {"enabled": False},
                                     "containerDeleteRetentionPolicy": {"enabled": False},
                                     "isVersioningEnabled": False}})
    return found


AZURERM = {"microsoft.storage/storageaccounts": "azurerm_storage_account",
           "microsoft.keyvault/vaults": "azurerm_key_vault"}


def write_state(rows: list[Expected], path: Path) -> Path | None:
    """A `terraform show -json` state of the Terraform rows (None when the set has none): exact names and ids,
    at the module addresses the configuration gives them."""
    resources = [{"address": r.address, "mode": "managed", "type": AZURERM[r.type.lower()],
                  "name": r.address.rsplit(".", 1)[-1],
                  "values": {"name": r.name, "resource_group_name": r.group, "id": resource_id(r)}}
                 for r in rows if r.address]
    if not resources:
        return None
    state = {"format_version": "1.0", "terraform_version": "1.9.0",
             "values": {"root_module": {"child_modules": [{"address": "(bench)", "resources": resources}]}}}
    path.write_text(json.dumps(state), "utf-8")
    return path


def write_inputs(rows: list[Expected], directory: Path) -> tuple[Path, Path]:
    groups = sorted({r.group for r in rows})
    snapshot = {"kind": "bcdr-scan/snapshot", "version": 1, "collected_at": "2026-11-20T06:00:00Z",
                "source": {"description": "bench_source_map: what the template set deploys"},
                "subscriptions": [{"id": f"/subscriptions/{SUBSCRIPTION}", "subscriptionId": SUBSCRIPTION,
                                   "displayName": "bench", "state": "Enabled"}],
                "resource_groups": [{"id": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{g}", "name": g,
                                     "location": REGION} for g in groups],
                "resources": [d for row in rows for d in documents(row)], "locks": []}
    policy = {"version": 1, "zones": [{"name": "bench-hot-spare", "strategy": "hot-spare", "rpo": "15m", "rto": "1h",
                                       "primary_region": REGION, "secondary_region": PAIR,
                                       "match": {"subscriptions": [SUBSCRIPTION]}}]}
    snapshot_path, policy_path = directory / "snapshot.json", directory / "policy.json"
    snapshot_path.write_text(json.dumps(snapshot), "utf-8")
    policy_path.write_text(json.dumps(policy), "utf-8")
    return snapshot_path, policy_path


# --- running and counting ----------------------------------------------------------------------
def scan_sarif(args: list[str]) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "scanner", "scan", *args, "--format", "sarif"],
                          capture_output=True, text=True, check=False, cwd=REPO)
    if done.returncode not in (0, 1, 3):
        sys.exit(f"bcdr-scan failed ({done.returncode}): {done.stderr.strip()}")
    return json.loads(done.stdout)


def index_seconds(root: Path, repeat: int) -> tuple[float, dict[str, Any]]:
    from scanner.iac.index import build_index

    best, summary = float("inf"), {}
    for _ in range(max(repeat, 1)):
        t0 = time.perf_counter()
        index = build_index(root)
        best = min(best, time.perf_counter() - t0)
        summary = index.summary()
    return best, summary


def tally(sarif: dict[str, Any], rows: list[Expected] | None) -> tuple[Counter[str], list[str]]:
    expected = {resource_id(r).lower(): r.file for r in rows or []}
    counts: Counter[str] = Counter()
    wrong = []
    for result in sarif["runs"][0]["results"]:
        source = result["properties"].get("source", {})
        counts[source.get("status", "unmapped")] += 1
        target = expected.get(result["properties"]["resourceId"].lower())
        if source.get("status") == "mapped" and target is not None and source.get("file") != target:
            wrong.append(f"{result['ruleId']} {result['properties']['resourceId'].rsplit('/', 1)[-1]}: "
                         f"{source.get('file')}:{source.get('line')} (expected {target})")
    return counts, wrong


def report(label: str, counts: Counter[str], wrong: list[str], seconds: float, summary: dict[str, Any],
           sarif: dict[str, Any]) -> None:
    total = sum(counts.values())
    mapped = counts["mapped"]
    print(f"{label}: files {summary.get('files')}, {summary.get('declarations')} declarations, "
          f"{len(summary.get('problems', []))} read problems; index {seconds * 1000:.0f} ms")
    print(f"findings {total}: mapped {mapped}, ambiguous {counts['ambiguous']}, unmapped {counts['unmapped']}, "
          f"wrong file {len(wrong)}; mapping rate {mapped / total:.0%}" if total else "no findings")
    for line in wrong:
        print(f"  wrong: {line}")
    by_resource: dict[str, set[str]] = {}
    for result in sarif["runs"][0]["results"]:
        status = result["properties"].get("source", {}).get("status", "unmapped")
        if status != "mapped":
            by_resource.setdefault(result["properties"]["resourceId"].split("/providers/", 1)[-1], set()).add(status)
    for resource, statuses in sorted(by_resource.items()):
        print(f"  {'/'.join(sorted(statuses))}: {resource}")
    for problem in summary.get("problems", [])[:20]:
        print(f"  problem: {problem['file']}: {problem['reason']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", type=Path, help="template set (default: fixtures/sample-iac)")
    parser.add_argument("--set", dest="name", choices=sorted(EXPECTED),
                        help="which table of expected resources (default: the directory's name)")
    parser.add_argument("--repeat", type=int, default=3, help="index the tree this many times; the best is printed")
    parser.add_argument("--keep", type=Path, help="also write the SARIF to this file")
    parser.add_argument("--with-state", action="store_true",
                        help="scan again with a state of the Terraform rows (--terraform-plan), written from the table")
    args = parser.parse_args()
    if args.directory is None:
        root = REPO / "fixtures" / "sample-iac"
        sarif = scan_sarif(["--sample", "--source-root", str(root)])
        counts, wrong = tally(sarif, None)
        label = "fixtures/sample-iac (sample estate)"
    else:
        root = args.directory.resolve()
        name = args.name or root.name
        if name not in EXPECTED:
            parser.error(f"no table of expected resources for {name!r}; give --set ({', '.join(sorted(EXPECTED))})")
        rows = EXPECTED[name]()
        with tempfile.TemporaryDirectory() as tmp:
            snapshot, policy = write_inputs(rows, Path(tmp))
            common = ["--snapshot", str(snapshot), "--policy", str(policy), "--source-root", str(root)]
            sarif = scan_sarif(common)
            state = write_state(rows, Path(tmp) / "state.json") if args.with_state else None
            if state is not None:
                with_state = scan_sarif([*common, "--terraform-plan", str(state)])
        counts, wrong = tally(sarif, rows)
        label = f"{name} ({len(rows)} resources expected)"
        if state is not None:
            counts_state, wrong_state = tally(with_state, rows)
            print(f"{name} with a terraform show -json state: findings {sum(counts_state.values())}: mapped "
                  f"{counts_state['mapped']}, ambiguous {counts_state['ambiguous']}, unmapped "
                  f"{counts_state['unmapped']}, wrong file {len(wrong_state)}")
    if args.keep:
        args.keep.write_text(json.dumps(sarif, indent=1), "utf-8")
    seconds, summary = index_seconds(root, args.repeat)
    report(label, counts, wrong, seconds, summary, sarif)


if __name__ == "__main__":
    main()
