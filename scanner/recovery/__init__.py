"""The recovery model: the RPO and RTO each resource can achieve after a regional outage and after an
accidental deletion or corruption, and each landing zone's readiness against its own objectives.

    estimate(resource, ctx) -> Estimate | NotEstimated | None   (None: a type the model does not cover)

Estimates are computed once per resource and scan (GEN-004 and every report share them). The figures and
their sources are in scanner/recovery/figures.py; docs/recovery-model.md explains the model.
"""

from __future__ import annotations

from collections.abc import Callable

from checks.cosmosdb._account import DATABASE_ACCOUNT
from checks.dataexplorer.zone_redundancy import CLUSTER
from checks.eventhub._namespace import NAMESPACE
from checks.general._types import PURVIEW_ACCOUNT
from checks.keyvault._vault import KEY_VAULT
from checks.sql._common import DATABASE
from checks.sqlmi._instance import MANAGED_DATABASE
from checks.storage._replication import STORAGE_ACCOUNT
from checks.synapse._types import SQL_POOL
from scanner.check import EvaluationContext
from scanner.engine import DATA_ERRORS
from scanner.errors import one_line
from scanner.model import Resource
from scanner.recovery import databases, stores
from scanner.recovery.model import SCENARIOS, Estimate, NotEstimated, Recovery, Scenario, not_read

Estimator = Callable[[Resource, EvaluationContext], Recovery | NotEstimated]

# The resource types the model estimates, and how. The services that hold no data of their own (Data
# Factory, Synapse and Machine Learning workspaces, Databricks workspaces: their data is in the stores
# estimated here, a Databricks workspace's in its managed storage account) and the containers of data
# (SQL servers, managed instances: their databases are estimated) are not.
ESTIMATORS: dict[str, Estimator] = {
    STORAGE_ACCOUNT.lower(): stores.storage,
    DATABASE_ACCOUNT.lower(): stores.cosmos,
    KEY_VAULT.lower(): stores.key_vault,
    NAMESPACE.lower(): stores.event_hubs,
    SQL_POOL.lower(): stores.synapse_pool,
    CLUSTER.lower(): stores.data_explorer,
    PURVIEW_ACCOUNT.lower(): stores.purview,
    DATABASE.lower(): databases.sql_database,
    MANAGED_DATABASE.lower(): databases.managed_database,
    "microsoft.dbforpostgresql/flexibleservers": databases.postgresql,
    "microsoft.dbformysql/flexibleservers": databases.mysql,
}
ESTIMATED_TYPES = (STORAGE_ACCOUNT, DATABASE_ACCOUNT, KEY_VAULT, NAMESPACE, SQL_POOL, CLUSTER, PURVIEW_ACCOUNT,
                   DATABASE, MANAGED_DATABASE, "Microsoft.DBforPostgreSQL/flexibleServers",
                   "Microsoft.DBforMySQL/flexibleServers")


def estimate(resource: Resource, ctx: EvaluationContext) -> Estimate | NotEstimated | None:
    estimator = ESTIMATORS.get(resource.type_key)
    if estimator is None:
        return None
    cache = _cache(ctx)
    found = cache.get(resource.key)
    if found is None:
        found = cache[resource.key] = _estimated(estimator, resource, ctx)
    return found


def _estimated(estimator: Estimator, resource: Resource, ctx: EvaluationContext) -> Estimate | NotEstimated:
    try:
        recovery = estimator(resource, ctx)
    except DATA_ERRORS as exc:  # a payload of an unexpected shape: unknown, never a figure made up
        missing = not_read(f"well-formed resource properties ({one_line(f'{type(exc).__name__}: {exc}', 200)})")
        recovery = Recovery((missing,), (missing,))
    if isinstance(recovery, NotEstimated):
        return recovery
    return Estimate.of(resource, ctx.zone, recovery)


def _cache(ctx: EvaluationContext) -> dict[str, Estimate | NotEstimated]:
    # Keyed by the policy object, kept alive by the cache itself so its id is never reused for another;
    # a tuple, not a formatted string: asked 110,000 times at 100,000 resources.
    return ctx.inventory.derived(("recovery:estimates", id(ctx.policy), ctx.scan_time), lambda inv: (ctx.policy, {}))[1]


__all__ = ["ESTIMATED_TYPES", "SCENARIOS", "Estimate", "NotEstimated", "Scenario", "estimate"]
