"""The shared SDK pipeline, exercised over HTTPS against the emulator."""

from __future__ import annotations

import logging
import math
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import requests
from azure.core.exceptions import ServiceRequestError
from azure.core.rest import HttpRequest

from scanner.collect.pipeline import ReadOnlyViolation, is_collection, origin
from scanner.collect.throttle import Throttle
from scanner.collect.transport import BoundedSession, WatchedAdapter
from tests.collect.conftest import client_factory, collect
from tests.emulator import Emulator, Fault

SUB = "6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e01"
RG_LIST = f"/subscriptions/{SUB}/resourcegroups"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_anything_but_get_is_refused_before_it_is_sent(arm: Emulator, method: str) -> None:
    client = client_factory(arm).make("storage", SUB)
    listkeys = f"/subscriptions/{SUB}/resourceGroups/rg-dmlz-shared/providers/Microsoft.Storage/storageAccounts/" \
               "stdmlzmetadataweu/listKeys?api-version=2025-01-01"
    with pytest.raises(ReadOnlyViolation, match=f"read-only: refused {method}"):
        client.send_request(HttpRequest(method, listkeys))
    assert arm.requests == []


@pytest.mark.parametrize("url", [
    "/providers/Microsoft.ResourceGraph/resources/x?api-version=2024-04-01",  # a longer path
    "/providers/Microsoft.ResourceGraph/resourcesHistory?api-version=2024-04-01",
    "/subscriptions/" + SUB + "/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01",
    "/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01&x=1",  # anything else in the query
    "/providers/Microsoft.ResourceGraph/resources",  # no api-version
])
def test_a_post_anywhere_but_the_resource_graph_query_is_refused(arm: Emulator, url: str) -> None:
    client = client_factory(arm).subscriptions()
    with pytest.raises(ReadOnlyViolation, match="read-only: refused POST"):
        client.send_request(HttpRequest("POST", url, json={"query": "resources"}))
    assert arm.requests == []


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_only_post_reaches_the_resource_graph_path(arm: Emulator, method: str) -> None:
    client = client_factory(arm).subscriptions()
    with pytest.raises(ReadOnlyViolation, match=f"read-only: refused {method}"):
        client.send_request(HttpRequest(method, "/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01"))
    assert arm.requests == []


def test_the_resource_graph_query_post_is_let_through(arm: Emulator) -> None:
    client = client_factory(arm).subscriptions()
    client.send_request(HttpRequest("POST", "/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01",
                                    json={"subscriptions": [SUB], "query": "resources"}))
    assert [(r.method, r.path) for r in arm.requests] == [("POST", "/providers/Microsoft.ResourceGraph/resources")]


def test_a_missing_provider_registration_is_a_gap_never_a_registration_post(arm: Emulator) -> None:
    # The SDKs' default pipeline answers this 409 by POSTing a provider registration (a write).
    arm.add_fault(Fault(r"/providers/microsoft.documentdb/databaseaccounts\?", 409, times=None,
                        code="MissingSubscriptionRegistration"))
    inventory = collect(arm)
    gap = inventory.gap(f"/subscriptions/{SUB}", "Microsoft.DocumentDB/databaseAccounts")
    assert gap is not None and gap.status == 409 and "MissingSubscriptionRegistration" in gap.error
    assert {r.method for r in arm.requests} == {"GET"}


def test_a_429_closes_that_subscriptions_gate_for_retry_after_then_the_read_succeeds(arm: Emulator) -> None:
    arm.add_fault(Fault(r"/resourcegroups\?", 429, times=1, retry_after="0.6"))
    throttle = Throttle()
    factory = client_factory(arm, throttle)
    started = time.monotonic()
    groups = list(factory.make("resources", SUB).resource_groups.list())
    assert time.monotonic() - started >= 0.6
    assert len(groups) == len([g for g in arm.estate.resource_groups if SUB in g["id"]])
    assert throttle.stats.gates_closed == 1
    assert factory.stats.statuses[429] == 1
    assert [r.status for r in arm.requests if r.path.endswith("resourcegroups")][:2] == [429, 200]


def test_server_errors_are_retried(arm: Emulator) -> None:
    arm.add_fault(Fault(r"/resourcegroups\?", 503, times=2))
    factory = client_factory(arm)
    assert list(factory.make("resources", SUB).resource_groups.list())
    assert factory.stats.statuses[503] == 2


def test_request_logs_name_the_url_and_status_but_never_the_token(arm: Emulator,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bcdr_scan")
    caplog.set_level(logging.INFO, logger="azure")
    list(client_factory(arm).make("resources", SUB).resource_groups.list())
    assert f"GET {arm.url}{RG_LIST}?api-version=" in caplog.text.replace("resourceGroups", "resourcegroups")
    assert "-> 200" in caplog.text
    assert "'Authorization': 'REDACTED'" in caplog.text  # azure-core's header log, redacted
    assert arm.token not in caplog.text


def test_tls_is_verified_against_the_configured_ca_only(arm: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    with pytest.raises(ServiceRequestError, match="CERTIFICATE_VERIFY_FAILED"):
        list(client_factory(arm).make("resources", SUB).resource_groups.list())
    assert arm.requests == []


A_DAY_AHEAD = format_datetime(datetime.now(UTC) + timedelta(days=1), usegmt=True)


@pytest.mark.parametrize(("headers", "seconds"), [
    ({"Retry-After": "17"}, 17.0),
    ({"Retry-After": "0.25"}, 0.25),
    ({"retry-after-ms": "1500"}, 1.5),
    ({"x-ms-retry-after-ms": "200"}, 0.2),
    ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),  # a date in the past: no wait
    ({"Retry-After": "-5"}, 0.0),
    ({"Retry-After": "100000"}, 100000.0),  # read as it is: the caller compares it with its cap
    ({"Retry-After": "inf"}, math.inf),
    ({"Retry-After": "1e999"}, math.inf),
    ({"Retry-After": "-inf"}, 0.0),
    ({"retry-after-ms": "1e15"}, 1e12),
    ({"Retry-After": "nan"}, None),
    ({"retry-after-ms": "NaN"}, None),
    ({"Retry-After": "soon"}, None),
    ({"Retry-After": "Fri, 31 Dec 99999 23:59:59 GMT"}, None),
    ({}, None),
])
def test_retry_after_is_read_in_every_form_arm_uses_and_survives_absurd_ones(headers: dict[str, str],
                                                                             seconds: float | None) -> None:
    from requests.structures import CaseInsensitiveDict

    from scanner.collect.pipeline import retry_after

    assert retry_after(CaseInsensitiveDict(headers)) == seconds


def test_a_retry_after_date_a_day_ahead_is_a_day() -> None:
    from requests.structures import CaseInsensitiveDict

    from scanner.collect.pipeline import retry_after

    wait = retry_after(CaseInsensitiveDict({"Retry-After": A_DAY_AHEAD}))
    assert wait is not None and 86000 < wait <= 86400


@pytest.mark.parametrize(("url", "expected"), [
    ("https://management.azure.com/subscriptions?api-version=1", "https://management.azure.com:443"),
    ("HTTPS://Management.Azure.COM:443/x", "https://management.azure.com:443"),
    ("http://127.0.0.1/x", "http://127.0.0.1:80"),
    ("https://[::1]:8443/x", "https://[::1]:8443"),
    ("https://user@management.azure.com/x", None),  # requests would send the user info
    ("https://management.azure.com:99999/x", None),
    ("ftp://management.azure.com/x", None),
    ("/relative/path", None),
])
def test_origins_compare_scheme_host_and_port_with_default_ports_made_explicit(url: str,
                                                                               expected: str | None) -> None:
    assert origin(url) == expected


@pytest.mark.parametrize(("url", "listing"), [
    ("https://h/subscriptions?api-version=1", True),
    ("https://h/subscriptions/s", False),
    ("https://h/subscriptions/s/resourcegroups", True),
    ("https://h/subscriptions/s/locations", True),
    ("https://h/subscriptions/s/providers/Microsoft.KeyVault/vaults?$skiptoken=2", True),
    ("https://h/subscriptions/s/resourceGroups/g/providers/Microsoft.Sql/servers/a", False),
    ("https://h/subscriptions/s/resourceGroups/g/providers/Microsoft.Sql/servers/a/databases", True),
    ("https://h/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/a/blobServices/default",
     False),
    ("https://h/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/a/providers/"
     "Microsoft.DataProtection/backupInstances", True),
])
def test_list_urls_are_told_from_document_urls(url: str, listing: bool) -> None:
    assert is_collection(url) is listing


def test_a_netrc_entry_for_the_host_never_replaces_the_bearer_token(arm: Emulator, tmp_path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine {urlsplit(arm.url).hostname} login someone password secret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    list(client_factory(arm).make("resources", SUB).resource_groups.list())
    assert arm.requests and all(r.authorization == f"Bearer {arm.token}" for r in arm.requests)


def test_proxies_and_the_ca_bundle_come_from_the_environment_once_per_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "bypassed.example")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ca.pem")
    session = BoundedSession(10, 1000)
    settings = session.merge_environment_settings("https://management.azure.com/x?a=1", {}, True, True, None)
    assert settings["proxies"]["https"] == "http://proxy.example:3128" and settings["verify"] == "/etc/ca.pem"
    monkeypatch.setenv("HTTPS_PROXY", "http://other.example:3128")  # read once: a scan's settings stay put
    again = session.merge_environment_settings("https://management.azure.com/y", {}, True, True, None)
    assert again["proxies"]["https"] == "http://proxy.example:3128"
    bypassed = session.merge_environment_settings("https://bypassed.example/x", {}, True, "/own.pem", None)
    assert "https" not in bypassed["proxies"] and bypassed["verify"] == "/own.pem"


def test_the_ca_path_is_told_file_or_directory_as_requests_tells_it(tmp_path) -> None:
    bundle, directory = tmp_path / "ca.pem", tmp_path / "certs"
    bundle.write_text("")
    directory.mkdir()
    adapter, plain = WatchedAdapter(), requests.adapters.HTTPAdapter()
    request = requests.Request("GET", "https://management.azure.com/x").prepare()
    for verify in (str(bundle), str(directory), True, False):
        assert adapter.build_connection_pool_key_attributes(request, verify) == \
            plain.build_connection_pool_key_attributes(request, verify)
        ours, theirs = SimpleNamespace(), SimpleNamespace()
        adapter.cert_verify(ours, request.url, verify, None)
        plain.cert_verify(theirs, request.url, verify, None)
        assert vars(ours) == vars(theirs)
    with pytest.raises(OSError, match="invalid path"):
        adapter.cert_verify(SimpleNamespace(), request.url, str(tmp_path / "missing.pem"), None)
