"""Clouds, endpoint overrides, the pre-issued token credential and redaction."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from azure.core import AzureClouds
from azure.core.credentials import AccessToken
from azure.mgmt.core.tools import get_arm_endpoints

from scanner.collect.auth import (
    CLOUDS,
    TOKEN_ENV,
    CachedCredential,
    StaticTokenCredential,
    make_credential,
    redact,
    resolve_target,
    secrets_of,
)
from scanner.collect.options import CLOUD_NAMES


def jwt(exp: int) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part({'aud': 'https://management.azure.com/', 'exp': exp})}.c2ln"


def test_the_cli_offers_exactly_the_clouds_the_collector_knows() -> None:
    assert sorted(CLOUD_NAMES) == sorted(CLOUDS)


@pytest.mark.parametrize(("name", "setting", "authority"), [
    ("AzureCloud", AzureClouds.AZURE_PUBLIC_CLOUD, "login.microsoftonline.com"),
    ("AzureUSGovernment", AzureClouds.AZURE_US_GOVERNMENT, "login.microsoftonline.us"),
    ("AzureChinaCloud", AzureClouds.AZURE_CHINA_CLOUD, "login.chinacloudapi.cn"),
])
def test_each_cloud_has_the_endpoint_scope_and_authority_of_the_sdk(name: str, setting: AzureClouds,
                                                                   authority: str) -> None:
    target = resolve_target(name, None)
    sdk = get_arm_endpoints(setting)
    assert target.arm_endpoint == sdk["resource_manager"].rstrip("/")
    assert target.token_scope == sdk["credential_scopes"][0]
    assert target.cloud.authority == authority


def test_an_endpoint_override_is_its_own_token_audience() -> None:
    target = resolve_target("AzureCloud", "https://management.local.azurestack.external/")
    assert target.arm_endpoint == "https://management.local.azurestack.external"
    assert target.token_scope == "https://management.local.azurestack.external/.default"


def test_overriding_with_a_known_cloud_endpoint_keeps_that_clouds_audience() -> None:
    # US Government's ARM host and its token audience differ (management.core.usgovcloudapi.net).
    target = resolve_target("AzureCloud", "https://management.usgovcloudapi.net")
    assert target.token_scope == "https://management.core.usgovcloudapi.net/.default"


@pytest.mark.parametrize("endpoint", ["http://10.1.2.3:8443", "http://arm.example.com", "management.azure.com",
                                      "https://"])
def test_an_endpoint_that_is_not_https_is_refused(endpoint: str) -> None:
    with pytest.raises(ValueError, match="https"):
        resolve_target("AzureCloud", endpoint)


def test_the_static_token_is_returned_as_given_without_a_bearer_prefix() -> None:
    token = jwt(int(time.time()) + 600)
    credential = StaticTokenCredential(f"Bearer {token}\n")
    assert credential.get_token("https://management.azure.com/.default").token == token
    assert credential.get_token_info("x").expires_on == credential.expires_on
    assert token not in repr(credential)


def test_an_expired_token_is_refused_before_any_request() -> None:
    with pytest.raises(ValueError, match="expired") as failure:
        StaticTokenCredential(jwt(int(time.time()) - 60))
    assert "eyJ" not in str(failure.value)


def test_an_opaque_token_is_accepted_for_an_hour() -> None:
    credential = StaticTokenCredential("opaque-emulator-token")
    assert 3500 < credential.expires_on - time.time() <= 3600


def test_the_environment_token_replaces_the_credential_chain() -> None:
    credential, label = make_credential(resolve_target("AzureCloud", None), {TOKEN_ENV: "abc.def"})
    assert label == TOKEN_ENV
    assert isinstance(credential.inner, StaticTokenCredential)
    assert secrets_of(credential) == ["abc.def"]


def test_without_the_token_the_default_credential_chain_of_the_cloud_is_used() -> None:
    from azure.identity import DefaultAzureCredential

    credential, label = make_credential(resolve_target("AzureUSGovernment", None), {})
    assert label == "DefaultAzureCredential"
    assert isinstance(credential.inner, DefaultAzureCredential)
    assert secrets_of(credential) == []
    credential.close()


class CountingCredential:
    def __init__(self, lifetime: int) -> None:
        self.calls: list[tuple[str, ...]] = []
        self.lifetime = lifetime

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.calls.append(scopes)
        return AccessToken(f"t{len(self.calls)}", int(time.time()) + self.lifetime)


def test_one_token_per_scope_is_shared_until_it_nears_expiry() -> None:
    inner = CountingCredential(lifetime=3600)
    cached = CachedCredential(inner)  # type: ignore[arg-type]
    assert cached.get_token("a").token == cached.get_token("a").token == "t1"
    assert cached.get_token("b").token == "t2"
    # A token with less than the refresh margin left is fetched anew, never reused.
    dying = CountingCredential(lifetime=60)
    short = CachedCredential(dying)  # type: ignore[arg-type]
    assert [short.get_token("a").token, short.get_token("a").token] == ["t1", "t2"]
    assert len(dying.calls) == 2


def test_a_claims_challenge_always_reaches_the_real_credential() -> None:
    inner = CountingCredential(lifetime=3600)
    cached = CachedCredential(inner)  # type: ignore[arg-type]
    cached.get_token("a")
    cached.get_token("a", claims='{"access_token":{}}')
    assert len(inner.calls) == 2


def test_redact_removes_the_secret_and_anything_shaped_like_a_jwt() -> None:
    token = jwt(2_000_000_000)
    text = f"failed with opaque-secret and {token} in it"
    cleaned = redact(text, ["opaque-secret"])
    assert "opaque-secret" not in cleaned and token not in cleaned
    assert cleaned.startswith("failed with <redacted> and <redacted-jwt>")


@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:8443", "http://localhost:8080", "http://[::1]:9000"])
def test_plain_http_is_accepted_on_loopback_only(endpoint: str) -> None:
    assert resolve_target("AzureCloud", endpoint).arm_endpoint == endpoint
