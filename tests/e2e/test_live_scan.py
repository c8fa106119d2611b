"""The live scan equals the offline scan of the same estate, whatever ARM throws at it."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import jsonschema

from tests.e2e.conftest import SAMPLE_POLICY, TOKEN, Run, bcdr_scan, live_env, live_scan, outcomes, with_sub3_unread
from tests.emulator import Emulator, Fault
from tests.helpers import REPO

SUB3 = "6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e03"


def test_a_live_scan_of_the_sample_estate_finds_exactly_what_the_offline_scan_finds(arm: Emulator,
                                                                                    offline: Run) -> None:
    live = live_scan(arm)
    assert live.code == offline.code, live.stderr
    assert outcomes(live.report) == outcomes(offline.report)
    assert live.report["summary"]["results"] == offline.report["summary"]["results"]
    assert live.report["scan"]["mode"] == "live"
    assert live.report["scan"]["scopes"]["subscriptions"] == sorted(arm.index.subscriptions)
    assert live.report["coverage"]["region_metadata"] == "live"
    assert live.stderr == ""  # no progress display when stderr is not a terminal
    schema = json.loads((REPO / "scanner" / "schemas" / "report.schema.json").read_text("utf-8"))
    jsonschema.validate(live.report, schema)


def test_collect_then_scan_the_snapshot_offline_gives_the_same_findings(arm: Emulator, offline: Run,
                                                                        tmp_path: Path) -> None:
    snapshot = tmp_path / "estate.json.gz"
    collected = bcdr_scan("collect", "--output", str(snapshot), "--arm-endpoint", arm.url, env=live_env(arm))
    assert collected.code == 0, collected.stderr
    document = json.loads(gzip.decompress(snapshot.read_bytes()))
    assert document["kind"] == "bcdr-scan/snapshot" and document["gaps"] == []
    assert document["source"]["arm_endpoint"] == arm.url and document["source"]["credential"] == "BCDR_SCAN_TOKEN"
    assert len(document["resources"]) == len(arm.estate.resources)
    again = bcdr_scan("scan", "--snapshot", str(snapshot), "--policy", str(SAMPLE_POLICY), "--format", "json",
                      "--include-passed")
    assert again.code == offline.code, again.stderr
    assert outcomes(again.report) == outcomes(offline.report)


def test_throttling_and_server_errors_change_nothing_and_lose_no_page(arm: Emulator, offline: Run) -> None:
    arm.page_size = 1  # every list is a chain of nextLinks
    # The first page of the storage and SQL lists: 429, Retry-After 1 s (ARM's own form). (The
    # throttled subscription then waits a second each time, so two types keep the test short.)
    arm.add_fault(Fault(r"^/subscriptions/[^/]+/providers/microsoft\.(storage/storageaccounts|sql/servers)"
                        r"\?api-version=[^&]+$", 429, times=1, retry_after="1"))
    # Every further page fails once with a 500, every first read of a child setting with a 503.
    arm.add_fault(Fault(r"skiptoken=", 500, times=1))
    child_read = r"^[^?]*/resourcegroups/[^?]+/providers/[^?]+/[^?]+/[^?]+/[^?]+\?(?!.*skiptoken)"
    arm.add_fault(Fault(child_read, 503, times=1))
    live = live_scan(arm)
    assert arm.count(status=429) == 2 * len(arm.index.subscriptions)
    assert arm.count(status=500) >= 20 and arm.count(status=503) >= 20
    assert live.code == offline.code, live.stderr
    assert outcomes(live.report) == outcomes(offline.report)
    assert live.report["coverage"]["read_errors"] == []


def test_a_forbidden_subscription_is_unread_in_coverage_and_nothing_of_it_passes(arm: Emulator,
                                                                                 offline: Run) -> None:
    assert any(o[1].split("/")[2] == SUB3 and o[2] == "pass" for o in outcomes(offline.report))
    arm.add_fault(Fault(f"^/subscriptions/{SUB3}/", 403, times=None))
    live = live_scan(arm)
    assert live.code == 3, live.stderr
    report = live.report
    assert report["coverage"]["complete"] is False
    assert report["coverage"]["read_errors"] == [
        {"scope": f"/subscriptions/{SUB3}", "data": "*", "error": report["coverage"]["read_errors"][0]["error"],
         "status": 403}]
    assert "AuthorizationFailed" in report["coverage"]["read_errors"][0]["error"]
    assert SUB3 in report["scan"]["scopes"]["subscriptions"]
    assert not [o for o in outcomes(report) if o[1].split("/")[2] == SUB3 and o[2] in ("pass", "fail")]
    others = with_sub3_unread({o for o in outcomes(offline.report) if o[1].split("/")[2] != SUB3})
    assert {o for o in outcomes(report) if o[1].split("/")[2] != SUB3} == others


def test_a_child_setting_answering_404_makes_the_checks_that_need_it_unknown(arm: Emulator, offline: Run) -> None:
    account = next(d for d in arm.estate.resources if d["type"] == "Microsoft.Storage/storageAccounts"
                   and f"{d['id']}/blobServices/default".lower() in arm.index.docs)
    arm.add_fault(Fault(f"^{account['id'].lower()}/blobservices/default", 404, times=None))
    live = live_scan(arm)
    assert live.code == 3, live.stderr
    before, after = outcomes(offline.report), outcomes(live.report)
    changed = {(c, r) for c, r, _ in before ^ after}
    assert changed, "some check must depend on the blob service"
    assert {r for _, r in changed} == {account["id"].lower()}
    assert all(status == "unknown" for c, r, status in after if (c, r) in changed)
    gap = live.report["coverage"]["read_errors"]
    assert [(g["scope"], g["data"], g["status"]) for g in gap] == [
        (account["id"], "Microsoft.Storage/storageAccounts/blobServices", 404)]


def test_a_truncated_response_is_a_read_error_and_the_scan_goes_on(arm: Emulator, offline: Run) -> None:
    vaults = [d for d in arm.estate.resources if d["type"] == "Microsoft.KeyVault/vaults"]
    sub = vaults[0]["id"].split("/")[2]
    arm.add_fault(Fault(f"^/subscriptions/{sub}/providers/microsoft.keyvault/vaults\\?", 200, truncate=True,
                        times=None))
    live = live_scan(arm)
    assert live.code == 3, live.stderr
    errors = live.report["coverage"]["read_errors"]
    assert [(g["scope"], g["data"]) for g in errors] == [(f"/subscriptions/{sub}", "Microsoft.KeyVault/vaults")]
    assert "malformed JSON" in errors[0]["error"]
    lost = {v["id"].lower() for v in vaults if v["id"].split("/")[2] == sub}
    assert not [o for o in outcomes(live.report) if o[1] in lost]
    assert {o for o in outcomes(live.report)} == {o for o in outcomes(offline.report) if o[1] not in lost}


def test_no_token_text_in_any_output_even_at_the_most_verbose(arm: Emulator, tmp_path: Path) -> None:
    report, snapshot = tmp_path / "report.json", tmp_path / "estate.json"
    scan = live_scan(arm, "-vv", "--output", str(report))
    collect = bcdr_scan("collect", "-vv", "--output", str(snapshot), "--arm-endpoint", arm.url, env=live_env(arm))
    assert scan.code in (0, 3) and collect.code == 0
    assert "Authorization': 'REDACTED'" in scan.stderr and " -> 200 in " in scan.stderr  # really verbose
    for text in (scan.stdout, scan.stderr, collect.stdout, collect.stderr, report.read_text(), snapshot.read_text()):
        assert TOKEN not in text
        assert TOKEN.split(".")[1] not in text  # not even its payload


def test_a_rejected_token_ends_in_one_line_without_the_token(arm: Emulator) -> None:
    rejected = bcdr_scan("scan", "--arm-endpoint", arm.url,
                         env={**live_env(arm), "BCDR_SCAN_TOKEN": TOKEN[::-1] + "x"})
    assert rejected.code == 2
    assert rejected.stderr.startswith("bcdr-scan: error: cannot authenticate (BCDR_SCAN_TOKEN): "
                                      "ARM refused the token: HTTP 401")
    assert rejected.stderr.count("\n") == 1 and rejected.stdout == ""
    assert TOKEN[::-1] not in rejected.stderr


def test_live_options_make_no_sense_with_a_snapshot() -> None:
    run = bcdr_scan("scan", "--sample", "--subscription", SUB3)
    assert run.code == 2 and "--subscription applies only to a live scan" in run.stderr


def test_a_plain_http_endpoint_is_refused_before_any_request() -> None:
    # Beyond loopback a bearer token never travels without TLS (the host is never contacted).
    run = bcdr_scan("collect", "-o", "/tmp/never.json", "--arm-endpoint", "http://arm.invalid:1",
                    env={"BCDR_SCAN_TOKEN": TOKEN})
    assert run.code == 2 and "must be an https:// URL" in run.stderr


def test_plain_http_on_loopback_works_like_https(offline: Run) -> None:
    # Some local ARM-compatible servers speak plain HTTP; the token still never leaves the machine.
    with Emulator(REPO / "fixtures" / "sample-estate", token=TOKEN, tls=False) as arm:
        assert arm.url.startswith("http://127.0.0.1:")
        live = bcdr_scan("scan", "--policy", str(SAMPLE_POLICY), "--arm-endpoint", arm.url, "--format", "json",
                         "--include-passed", env={"BCDR_SCAN_TOKEN": TOKEN})
    assert live.code == offline.code, live.stderr
    assert outcomes(live.report) == outcomes(offline.report)
