"""Clouds, ARM endpoints and credentials for live collection.

The token never leaves this module except inside the `Authorization` header the SDK pipeline
builds; `redact()` (scanner.sanitize) scrubs it (and anything shaped like a JWT) from every text the scan emits.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import os
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from azure.core import AzureClouds
from azure.core.credentials import AccessToken, AccessTokenInfo, TokenCredential
from azure.mgmt.core.tools import get_arm_endpoints

# Re-exported: the collector and older callers import it from here.
from scanner.sanitize import redact as redact

TOKEN_ENV = "BCDR_SCAN_TOKEN"
# Refresh a cached token this long before it expires, so no request is sent with a dying token.
_REFRESH_MARGIN = 300


@dataclass(frozen=True)
class Cloud:
    name: str
    arm_endpoint: str
    token_scope: str
    authority: str


def _cloud(name: str, setting: AzureClouds, authority: str) -> Cloud:
    # Endpoint and scope come from azure-mgmt-core, the same table the SDK clients use.
    endpoints = get_arm_endpoints(setting)
    return Cloud(name, endpoints["resource_manager"].rstrip("/"), endpoints["credential_scopes"][0], authority)


CLOUDS: dict[str, Cloud] = {
    c.name: c
    for c in (
        _cloud("AzureCloud", AzureClouds.AZURE_PUBLIC_CLOUD, "login.microsoftonline.com"),
        _cloud("AzureUSGovernment", AzureClouds.AZURE_US_GOVERNMENT, "login.microsoftonline.us"),
        _cloud("AzureChinaCloud", AzureClouds.AZURE_CHINA_CLOUD, "login.chinacloudapi.cn"),
    )
}


@dataclass(frozen=True)
class Target:
    """Where ARM is and which token audience it accepts."""

    cloud: Cloud
    arm_endpoint: str
    token_scope: str


def resolve_target(cloud_name: str, arm_endpoint: str | None) -> Target:
    """The cloud's endpoint, or an override (Azure Stack Hub, an emulator).

    An overridden endpoint is its own token audience (`<endpoint>/.default`), unless it is the
    endpoint of one of the public clouds, whose audience differs from its host in some clouds.
    """
    cloud = CLOUDS[cloud_name]
    if not arm_endpoint:
        return Target(cloud, cloud.arm_endpoint, cloud.token_scope)
    endpoint = arm_endpoint.rstrip("/")
    parts = urlsplit(endpoint)
    if not parts.netloc or not (parts.scheme == "https" or is_loopback_http(endpoint)):
        raise ValueError(f"--arm-endpoint must be an https:// URL (got {arm_endpoint!r}); "
                         "bearer tokens are never sent over plain HTTP beyond this machine")
    known = next((c for c in CLOUDS.values() if c.arm_endpoint.lower() == endpoint.lower()), None)
    scope = known.token_scope if known else f"{endpoint}/.default"
    return Target(cloud, endpoint, scope)


def is_loopback_http(url: str) -> bool:
    """Plain HTTP to this machine (a local ARM emulator): the token never leaves the host."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "http":
        return False
    host = (parts.hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def connection_verify() -> str | bool:
    """TLS verification for every request: on, with a custom CA bundle when one is configured."""
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True


class StaticTokenCredential(TokenCredential):
    """A pre-issued bearer token (e.g. `az account get-access-token`), used as it is."""

    def __init__(self, token: str) -> None:
        token = token.strip()
        if token.lower().startswith("bearer "):
            token = token[7:].strip()
        if not token:
            raise ValueError(f"{TOKEN_ENV} is set but empty")
        self._token = token
        self.expires_on = _jwt_expiry(token) or int(time.time()) + 3600
        if self.expires_on <= time.time():
            raise ValueError(f"the token in {TOKEN_ENV} has expired; issue a new one "
                             "(az account get-access-token --query accessToken -o tsv)")

    @property
    def secret(self) -> str:
        return self._token

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self._token, self.expires_on)

    def get_token_info(self, *scopes: str, options: Any = None) -> AccessTokenInfo:
        return AccessTokenInfo(self._token, self.expires_on)

    def __repr__(self) -> str:  # never the token itself
        return f"StaticTokenCredential(expires_on={self.expires_on})"


class CachedCredential(TokenCredential):
    """One token per scope shared by every SDK client of the scan.

    Each client has its own authentication policy; without this cache a credential without its
    own cache (the Azure CLI one, for example) would be asked for a token once per client.
    """

    def __init__(self, inner: TokenCredential) -> None:
        self.inner = inner
        self._lock = threading.Lock()
        self._tokens: dict[tuple[str, ...], AccessToken] = {}

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        if kwargs.get("claims"):  # a claims challenge must reach the real credential
            return self.inner.get_token(*scopes, **kwargs)
        with self._lock:
            cached = self._tokens.get(scopes)
            if cached and cached.expires_on - _REFRESH_MARGIN > time.time():
                return cached
            token = self.inner.get_token(*scopes, **kwargs)
            self._tokens[scopes] = token
            return token

    def close(self) -> None:
        close = getattr(self.inner, "close", None)
        if callable(close):
            close()


def make_credential(target: Target, environ: dict[str, str] | None = None) -> tuple[CachedCredential, str]:
    """The credential for the scan and a label saying which kind it is (for the report)."""
    environ = dict(os.environ if environ is None else environ)
    token = environ.get(TOKEN_ENV)
    if token is not None:
        return CachedCredential(StaticTokenCredential(token)), TOKEN_ENV
    from azure.identity import DefaultAzureCredential

    return CachedCredential(DefaultAzureCredential(authority=target.cloud.authority)), "DefaultAzureCredential"


def secrets_of(credential: TokenCredential) -> list[str]:
    inner = getattr(credential, "inner", credential)
    return [inner.secret] if isinstance(inner, StaticTokenCredential) else []


def _jwt_expiry(token: str) -> int | None:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        return int(payload["exp"])
    except (ValueError, KeyError, TypeError):
        return None
