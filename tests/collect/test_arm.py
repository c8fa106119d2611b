"""Raw ARM JSON through the SDKs: models read back as the wire JSON, paging, error descriptions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from azure.core.exceptions import DecodeError, HttpResponseError, ServiceRequestError, ServiceResponseError
from azure.mgmt.cosmosdb.models import DatabaseAccountGetResults
from azure.mgmt.keyvault.models import Vault
from azure.mgmt.sql import models as sql
from azure.mgmt.storage.models import BlobServiceProperties, StorageAccount

from scanner.collect.arm import (
    MalformedPayload,
    _with_api_version,
    arm_list,
    describe,
    is_transient,
    raw_pages,
    to_json,
)
from scanner.collect.bounds import DeadlineReached, ForeignOrigin, PageLimit, RequestDeadline, ResponseTooLarge
from scanner.collect.pipeline import ReadOnlyViolation
from tests.collect.conftest import client_factory
from tests.emulator import Emulator, Estate
from tests.helpers import EXAMPLES

SUB = "6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e01"

MODELS = [
    (StorageAccount, "storage/StorageAccountList.json"),
    (StorageAccount, "storage/StorageAccountGetProperties.json"),
    (BlobServiceProperties, "storage/BlobServicesGet.json"),
    (DatabaseAccountGetResults, "cosmos-db/CosmosDBDatabaseAccountList.json"),
    (DatabaseAccountGetResults, "cosmos-db/CosmosDBDatabaseAccountGet.json"),
    (Vault, "keyvault/listVaultBySubscription.json"),
    (Vault, "keyvault/getVault.json"),
    (sql.Server, "sql/ServerList.json"),
    (sql.Database, "sql/ListVCoreDatabasesByServer.json"),
    (sql.FailoverGroup, "sql/FailoverGroupList.json"),
    (sql.ReplicationLink, "sql/ReplicationLinkListByDatabase.json"),
    (sql.BackupShortTermRetentionPolicy, "sql/ListShortTermRetentionPoliciesByDatabase.json"),
    (sql.LongTermRetentionPolicy, "sql/LongTermRetentionPolicyListByDatabase.json"),
]


@pytest.mark.parametrize(("model", "example"), MODELS, ids=[e for _, e in MODELS])
def test_sdk_models_read_back_as_exactly_the_json_arm_sent(model: type, example: str) -> None:
    body = json.loads((EXAMPLES / example).read_text("utf-8"))["responses"]["200"]["body"]
    for item in body.get("value", [body]):
        assert to_json(model(json.loads(json.dumps(item)))) == item


def test_an_object_that_is_not_wire_json_is_refused() -> None:
    with pytest.raises(MalformedPayload):
        to_json(object())


def test_arm_list_follows_next_links_until_the_last_page(arm: Emulator) -> None:
    arm.page_size = 1
    client = client_factory(arm).make("resources", SUB)
    names = [g["name"] for g in arm_list(client, f"/subscriptions/{SUB}/resourcegroups", "2025-04-01")]
    expected = [g["name"] for g in arm.estate.resource_groups if SUB in g["id"]]
    assert names == expected and len(expected) > 1
    pages = [r for r in arm.requests if r.path.endswith("/resourcegroups")]
    assert len(pages) == len(expected)  # one page per group, the last without a nextLink
    assert all(r.api_version == "2025-04-01" for r in pages)


def test_a_next_link_keeps_its_query_and_gets_an_api_version_only_when_missing() -> None:
    assert _with_api_version("https://h/x?$skiptoken=a%2Bb", "1") == "https://h/x?$skiptoken=a%2Bb&api-version=1"
    assert _with_api_version("https://h/x?api-version=2&$skiptoken=z", "1") == "https://h/x?api-version=2&$skiptoken=z"
    assert _with_api_version("https://h/x", "1") == "https://h/x?api-version=1"


LOCK = {
    "id": f"/subscriptions/{SUB}/resourceGroups/rg-dmlz-shared/providers/Microsoft.Authorization/locks/no-delete",
    "type": "Microsoft.Authorization/locks",
    "name": "no-delete",
    "properties": {"level": "CanNotDelete", "notes": "keep", "owners": [{"applicationId": "app-1"}]},
    "systemData": {"createdAt": "2026-01-02T03:04:05Z", "createdByType": "User", "extraField": 1},
}


def test_locks_are_kept_raw_where_the_msrest_models_would_reformat_them(monkeypatch: pytest.MonkeyPatch) -> None:
    estate = Estate(subscriptions=[{"id": f"/subscriptions/{SUB}", "subscriptionId": SUB, "state": "Enabled"}],
                    locks=[LOCK])
    with Emulator(estate, page_size=1) as arm:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", arm.ca_file)
        client = client_factory(arm).make("locks", SUB)
        assert raw_pages(client.management_locks.list_at_subscription_level) == [LOCK]
        # What the SDK model alone would have given: another timestamp format, a field lost.
        model = next(iter(client.management_locks.list_at_subscription_level()))
        assert model.serialize(keep_readonly=True)["systemData"] != LOCK["systemData"]


class Response:
    def __init__(self, status: int, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> None:
        self.status_code = status
        self.reason = "reason"
        self.headers: dict[str, str] = {"content-type": "application/json", **(headers or {})}
        self._body = json.dumps(body or {}).encode()
        self.request = None

    def text(self, encoding: str | None = None) -> str:
        return self._body.decode()

    def body(self) -> bytes:
        return self._body


@pytest.mark.parametrize(("error", "text", "status"), [
    (HttpResponseError(response=Response(403, {"error": {"code": "AuthorizationFailed", "message": "no\naccess"}})),
     "HTTP 403 AuthorizationFailed: no", 403),
    (HttpResponseError(response=Response(429, {"error": {"code": "TooManyRequests", "message": "slow down"}})),
     "HTTP 429 TooManyRequests: slow down (retries exhausted)", 429),
    (DecodeError("JSON is invalid", response=Response(200)), "malformed JSON in the response (HTTP 200)", None),
    (ServiceRequestError("connection refused"), "cannot reach ARM: connection refused", None),
    (ServiceResponseError("read timed out"), "no complete response from ARM: read timed out", None),
    (MalformedPayload("a list response without a 'value' array"), "malformed payload: a list response", None),
    (ReadOnlyViolation("bcdr-scan is read-only: refused POST x"), "bcdr-scan is read-only: refused POST x", None),
    (HttpResponseError(response=Response(429, {"error": {"code": "TooManyRequests", "message": "wait"}},
                                         {"Retry-After": "100000"})),
     "HTTP 429 TooManyRequests: wait (Retry-After 100000 s is beyond the 60 s cap: not waited for)", 429),
    (ForeignOrigin("refused to send a request to https://evil:1"), "refused to send a request to https://evil:1",
     None),
    (RequestDeadline("no complete response within the 60 s request deadline"),
     "no complete response within the 60 s request deadline", None),
    (MalformedPayload("x" * 2000), "malformed payload: xxx", None),
    (RecursionError("maximum recursion depth exceeded"), "malformed payload: maximum recursion", None),
    (KeyError("id"), "internal error: KeyError: 'id'", None),
])
def test_failures_are_described_in_one_line_with_their_status(error: BaseException, text: str,
                                                              status: int | None) -> None:
    message, got = describe(error)
    assert message.startswith(text) and "\n" not in message and len(message) <= 400
    assert got == status


@pytest.mark.parametrize(("error", "transient"), [
    (HttpResponseError(response=Response(429)), True),
    (HttpResponseError(response=Response(503)), True),
    (HttpResponseError(response=Response(408)), True),
    (HttpResponseError(response=Response(403)), False),
    (HttpResponseError(response=Response(404)), False),
    (DecodeError("JSON is invalid", response=Response(200)), False),
    (ServiceRequestError("connection refused"), True),
    (ServiceResponseError("read timed out"), True),
    (ServiceRequestError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"), False),
    (RequestDeadline("no complete response within the 60 s request deadline"), True),
    (DeadlineReached("not read: the scan deadline reached"), False),
    (ForeignOrigin("refused"), False),
    (PageLimit("more than 1000 pages"), False),
    (ResponseTooLarge("larger than 32 MiB"), False),
    (MalformedPayload("no value array"), False),
])
def test_only_transient_failures_are_read_again(error: BaseException, transient: bool) -> None:
    assert is_transient(error) is transient
