"""The ARM emulator itself answers like ARM: the e2e tests are only as good as it is."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.emulator import ArmThrottle, Emulator, Estate, Fault
from tests.emulator.estate import _shift
from tests.helpers import REPO

SUB = "6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e01"
V = "api-version=2025-01-01"


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(REPO / "fixtures" / "sample-estate", page_size=2) as arm:
        yield arm


def get(arm: Emulator, path: str, token: str | None = "default", **kw: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {arm.token if token == 'default' else token}"} if token else {}
    url = path if path.startswith("https://") else f"{arm.url}{path}"
    return requests.get(url, headers=headers, verify=arm.ca_file, timeout=10, **kw)


def test_requests_need_the_bearer_token_and_an_api_version(emulator: Emulator) -> None:
    assert get(emulator, f"/subscriptions?{V}", token=None).status_code == 401
    assert get(emulator, f"/subscriptions?{V}", token="wrong").json()["error"]["code"] == "InvalidAuthenticationToken"
    missing = get(emulator, "/subscriptions")
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "MissingApiVersionParameter"
    assert requests.post(f"{emulator.url}/subscriptions?{V}", headers={"Authorization": f"Bearer {emulator.token}"},
                         verify=emulator.ca_file, timeout=10).status_code == 405
    assert [r.status for r in emulator.requests] == [401, 401, 400, 405]


def test_lists_are_paged_with_absolute_next_links_that_lose_nothing(emulator: Emulator) -> None:
    url: str | None = f"/subscriptions/{SUB}/providers/Microsoft.Storage/storageAccounts?{V}"
    names = []
    while url:
        body = get(emulator, url).json()
        assert len(body["value"]) <= 2
        names += [d["name"] for d in body["value"]]
        url = body.get("nextLink")
        assert url is None or url.startswith(emulator.url)
    expected = [d["name"] for d in emulator.estate.resources if d["type"] == "Microsoft.Storage/storageAccounts"
                and d["id"].split("/")[2] == SUB]
    assert names == expected and len(expected) > 2


def test_each_resource_is_at_its_id_and_its_children_under_it(emulator: Emulator) -> None:
    server = next(d for d in emulator.estate.resources if d["type"] == "Microsoft.Sql/servers")
    assert get(emulator, f"{server['id']}?{V}").json() == server
    databases = get(emulator, f"{server['id']}/databases?{V}", params={}).json()
    expected = [d for d in emulator.estate.resources if d["id"].lower().startswith(server["id"].lower() + "/databases/")
                and d["id"].count("/") == server["id"].count("/") + 2]
    assert databases["value"] == expected[:2]
    assert get(emulator, f"{server['id']}/nothing/here?{V}").status_code == 404
    ghost = server["id"].rsplit("/", 1)[0] + "/no-such-server/databases"
    assert get(emulator, f"{ghost}?{V}").json()["error"]["code"] == "ParentResourceNotFound"


def test_geo_replication_stats_come_only_with_expand(emulator: Emulator) -> None:
    account = next(d for d in emulator.estate.resources if "geoReplicationStats" in d.get("properties", {}))
    plain = get(emulator, f"{account['id']}?{V}").json()
    expanded = get(emulator, f"{account['id']}?{V}&$expand=geoReplicationStats").json()
    assert "geoReplicationStats" not in plain["properties"] and expanded == account


def test_locks_at_subscription_level_include_those_below_it(emulator: Emulator) -> None:
    sub = emulator.estate.locks[0]["id"].split("/")[2]
    emulator.page_size = 100
    listed = get(emulator, f"/subscriptions/{sub}/providers/Microsoft.Authorization/locks?{V}").json()["value"]
    assert listed == [lock for lock in emulator.estate.locks if lock["id"].split("/")[2] == sub]


def test_faults_hit_each_url_the_given_number_of_times(emulator: Emulator) -> None:
    emulator.add_fault(Fault(r"/resourcegroups\?", 429, times=2, retry_after="7"))
    url = f"/subscriptions/{SUB}/resourcegroups?{V}"
    first, second, third = (get(emulator, url) for _ in range(3))
    assert (first.status_code, first.headers["Retry-After"]) == (429, "7")
    assert second.status_code == 429 and third.status_code == 200


def test_a_truncated_answer_is_cut_json_with_status_200(emulator: Emulator) -> None:
    emulator.add_fault(Fault(r"/resourcegroups\?", truncate=True, times=None))
    answer = get(emulator, f"/subscriptions/{SUB}/resourcegroups?{V}")
    assert answer.status_code == 200
    with pytest.raises(ValueError):
        answer.json()


def test_arm_like_throttling_empties_a_subscriptions_bucket_and_no_other() -> None:
    estate = Estate(subscriptions=[{"id": f"/subscriptions/{s}", "subscriptionId": s, "state": "Enabled"}
                                   for s in (SUB, SUB[:-1] + "2")])
    with Emulator(estate, throttle=ArmThrottle(capacity=3, rate=0.5)) as arm:
        answers = [get(arm, f"/subscriptions/{SUB}/resourcegroups?{V}") for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert [a.headers.get("x-ms-ratelimit-remaining-subscription-reads") for a in answers[:3]] == ["2", "1", "0"]
        assert int(answers[3].headers["Retry-After"]) >= 1
        assert get(arm, f"/subscriptions/{SUB[:-1]}2/resourcegroups?{V}").status_code == 200


def test_time_shift_moves_every_timestamp_and_keeps_its_format() -> None:
    delta = timedelta(days=5, seconds=3)
    doc = {"a": "2026-11-20T05:45:00Z", "b": ["2026-11-19T06:00:00.1234567+00:00"], "c": "0001-01-01T00:00:00Z",
           "d": "not 2026-11-20T05:45:00Z", "e": 5}
    assert _shift(doc, -delta) == {"a": "2026-11-15T05:44:57Z", "b": ["2026-11-14T05:59:57.1234567+00:00"],
                                   "c": "0001-01-01T00:00:00Z", "d": "not 2026-11-20T05:45:00Z", "e": 5}
    estate = Estate.load(REPO / "fixtures" / "sample-estate")
    now = datetime(2030, 1, 1, tzinfo=UTC)
    assert estate.shifted_to(now).collected_at == now
