"""The SDK clients of one subscription, built on demand over the scan's shared pipeline parts."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from azure.core.credentials import TokenCredential
from azure.core.pipeline.transport import RequestsTransport
from azure.mgmt.cosmosdb import CosmosDBManagementClient
from azure.mgmt.dataprotection import DataProtectionMgmtClient
from azure.mgmt.keyvault import KeyVaultManagementClient
from azure.mgmt.recoveryservices import RecoveryServicesClient
from azure.mgmt.recoveryservicesbackup import RecoveryServicesBackupClient
from azure.mgmt.resource.locks import ManagementLockClient
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.resource.subscriptions import SubscriptionClient
from azure.mgmt.sql import SqlManagementClient
from azure.mgmt.storage import StorageManagementClient

from scanner.collect.bounds import DEFAULT_LIMITS, Limits
from scanner.collect.pipeline import DEFAULT_BACKOFF, RequestStats, build_policies
from scanner.collect.throttle import Throttle

T = TypeVar("T")

_CLIENTS: dict[str, type] = {
    "resources": ResourceManagementClient,
    "locks": ManagementLockClient,
    "storage": StorageManagementClient,
    "cosmos": CosmosDBManagementClient,
    "sql": SqlManagementClient,
    "keyvault": KeyVaultManagementClient,
    # Azure Backup (issue 14)
    "dataprotection": DataProtectionMgmtClient,
    "recoveryservices": RecoveryServicesClient,
    "recoveryservicesbackup": RecoveryServicesBackupClient,
}


class ClientFactory:
    def __init__(self, credential: TokenCredential, endpoint: str, scope: str, transport: RequestsTransport,
                 throttle: Throttle, stats: RequestStats, backoff: float = DEFAULT_BACKOFF,
                 limits: Limits = DEFAULT_LIMITS) -> None:
        self.credential = credential
        self.limits = limits
        self.backoff = backoff
        self.endpoint = endpoint
        self.scope = scope
        self.transport = transport
        self.throttle = throttle
        self.stats = stats
        self._made: list[Any] = []
        self._lock = threading.Lock()

    def _options(self) -> dict[str, Any]:
        return {
            "base_url": self.endpoint,
            "credential_scopes": [self.scope],
            "policies": build_policies(self.credential, self.scope, self.throttle, self.stats, self.backoff,
                                       endpoint=self.endpoint, limits=self.limits),
            "transport": self.transport,
        }

    def subscriptions(self) -> SubscriptionClient:
        client = SubscriptionClient(self.credential, **self._options())
        self._keep(client)
        return client

    def make(self, kind: str, subscription_id: str) -> Any:
        client = _CLIENTS[kind](self.credential, subscription_id, **self._options())
        self._keep(client)
        return client

    def _keep(self, client: Any) -> None:
        with self._lock:
            self._made.append(client)

    def close(self) -> None:
        with self._lock:
            made, self._made = self._made, []
        for client in made:
            client.close()


@dataclass
class _Memo:
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: bool = False
    value: Any = None
    error: Exception | None = None


class SubscriptionClients:
    """`clients.storage`, `clients.sql`, ...: each SDK client of the subscription, made once.
    `clients.arm` is the client whose pipeline serves generic ARM GETs."""

    def __init__(self, factory: ClientFactory, subscription_id: str) -> None:
        self.factory = factory
        self.subscription_id = subscription_id
        self._lock = threading.Lock()
        self._clients: dict[str, Any] = {}
        self._memos: dict[str, _Memo] = {}

    def memo(self, key: str, load: Callable[[], T]) -> T:
        """`load()` run once per subscription for every reader of `key` (two table entries that need
        the same list share one request); a failure is raised to every reader."""
        with self._lock:
            memo = self._memos.setdefault(key, _Memo())
        with memo.lock:
            if not memo.done:
                try:
                    memo.value = load()
                except Exception as exc:
                    memo.error = exc
                memo.done = True
        if memo.error is not None:
            raise memo.error
        return memo.value

    def _get(self, kind: str) -> Any:
        with self._lock:
            client = self._clients.get(kind)
            if client is None:
                client = self._clients[kind] = self.factory.make(kind, self.subscription_id)
            return client

    @property
    def resources(self) -> ResourceManagementClient:
        return self._get("resources")

    @property
    def arm(self) -> ResourceManagementClient:
        return self._get("resources")

    @property
    def locks(self) -> ManagementLockClient:
        return self._get("locks")

    @property
    def storage(self) -> StorageManagementClient:
        return self._get("storage")

    @property
    def cosmos(self) -> CosmosDBManagementClient:
        return self._get("cosmos")

    @property
    def sql(self) -> SqlManagementClient:
        return self._get("sql")

    @property
    def keyvault(self) -> KeyVaultManagementClient:
        return self._get("keyvault")

    # --- Azure Backup (issue 14) ---------------------------------------------------------------
    @property
    def dataprotection(self) -> DataProtectionMgmtClient:
        return self._get("dataprotection")

    @property
    def recoveryservices(self) -> RecoveryServicesClient:
        return self._get("recoveryservices")

    @property
    def recoveryservicesbackup(self) -> RecoveryServicesBackupClient:
        return self._get("recoveryservicesbackup")
