"""End to end against a hostile or broken ARM: the real CLI, its SDK clients over HTTPS, the
emulator's hostile faults. The scan always ends, reports what it could not read, keeps the token
to itself, and recovers what a storm of transient faults only delayed."""

from __future__ import annotations

import gzip
import json
import re
import time
from pathlib import Path

from tests.e2e.conftest import (
    SAMPLE_ESTATE,
    SAMPLE_POLICY,
    TOKEN,
    Run,
    bcdr_scan,
    live_env,
    live_report,
    live_scan,
    outcomes,
    with_sub3_unread,
)
from tests.emulator import ECHO_TOKEN, Emulator, Estate, Fault, Storm

SUB1 = "6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e01"
SUB3 = "6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e03"
VAULTS = f"^/subscriptions/{SUB1}/providers/microsoft\\.keyvault/vaults\\?"


def errors(run: Run) -> list[tuple[str, str]]:
    return [(g["scope"], g["data"]) for g in run.report["coverage"]["read_errors"]]


def in_sub(verdicts: set[tuple[str, str, str]], sub: str) -> set[tuple[str, str, str]]:
    return {v for v in verdicts if v[1].split("/")[2] == sub}


def test_a_next_link_to_another_host_never_gets_the_token(arm: Emulator) -> None:
    with Emulator(Estate(), ca=arm.ca) as listener:
        elsewhere = listener.url
        arm.add_fault(Fault(VAULTS, 200, times=None, next_link=elsewhere + "{path}?$skiptoken=987654"))
        live = live_scan(arm, "-vv")
    assert listener.requests == []
    assert live.code == 3, live.stderr
    assert errors(live) == [(f"/subscriptions/{SUB1}", "Microsoft.KeyVault/vaults")]
    assert f"refused to send a request to {elsewhere}" in live.report["coverage"]["read_errors"][0]["error"]
    assert live.report["coverage"]["complete"] is False
    assert TOKEN not in live.stdout + live.stderr


def echoing_estate() -> tuple[Estate, str]:
    """The sample estate with a vault whose name, tags (a key and a value) and a property hold
    whatever bearer token the caller sends."""
    estate = Estate.load(SAMPLE_ESTATE)
    vault = next(d for d in estate.resources if d["type"] == "Microsoft.KeyVault/vaults")
    vault["name"] = f"kv-{ECHO_TOKEN}"
    vault["tags"] = {**(vault.get("tags") or {}), "owner": f"Bearer {ECHO_TOKEN}", ECHO_TOKEN: "x"}
    vault["properties"] = {**vault["properties"], "description": f"token={ECHO_TOKEN};"}
    return estate, vault["id"]


def test_a_token_echoed_into_names_and_tags_reaches_no_snapshot_and_no_report(tmp_path: Path) -> None:
    estate, vault_id = echoing_estate()
    with Emulator(estate, token=TOKEN) as arm:
        assert ECHO_TOKEN in json.dumps(arm.served(vault_id))
        snapshot = tmp_path / "estate.json.gz"
        collected = bcdr_scan("collect", "-o", str(snapshot), "--arm-endpoint", arm.url, env=live_env(arm))
        reports = {"json": live_scan(arm), **{fmt: live_report(arm, fmt) for fmt in ("sarif", "markdown", "table")}}
    assert collected.code == 0, collected.stderr
    assert {fmt: r.code for fmt, r in reports.items()} == dict.fromkeys(reports, 0), reports["table"].stderr
    saved = gzip.decompress(snapshot.read_bytes()).decode()
    for text in (saved, collected.stderr, *(r.stdout + r.stderr for r in reports.values())):
        assert TOKEN not in text
        assert TOKEN.split(".")[1] not in text
    document = json.loads(saved)
    assert document["source"]["redacted_values"] == 4  # the echoes were served, and scrubbed
    vault = next(r for r in document["resources"] if r["id"].lower() == vault_id.lower())
    assert vault["tags"]["owner"] == "Bearer <redacted>" and vault["name"] == "kv-<redacted>"
    # The vault is still judged: scrubbing changed text, not what the checks read.
    assert [f for f in reports["json"].report.get("passed", []) + reports["json"].report["findings"]
            if f["resource"]["id"].lower() == vault_id.lower()]


def test_an_empty_object_for_a_list_is_a_read_error_never_an_empty_list(arm: Emulator, offline: Run) -> None:
    arm.add_fault(Fault(VAULTS, 200, times=None, body={}))
    live = live_scan(arm)
    assert live.code == 3, live.stderr
    assert errors(live) == [(f"/subscriptions/{SUB1}", "Microsoft.KeyVault/vaults")]
    vaults = {v for v in in_sub(outcomes(offline.report), SUB1) if "/microsoft.keyvault/vaults/" in v[1]}
    assert vaults and not vaults & outcomes(live.report)
    assert outcomes(live.report) == outcomes(offline.report) - {v for v in outcomes(offline.report)
                                                                if v[1] in {x[1] for x in vaults}}


def test_a_day_long_retry_after_does_not_hang_the_scan(arm: Emulator) -> None:
    arm.add_fault(Fault(VAULTS, 429, times=None, retry_after="86400"))
    started = time.monotonic()
    live = live_scan(arm)
    assert time.monotonic() - started < 60
    assert live.code == 3, live.stderr
    assert errors(live) == [(f"/subscriptions/{SUB1}", "Microsoft.KeyVault/vaults")]
    assert "beyond the 60 s cap" in live.report["coverage"]["read_errors"][0]["error"]


def test_a_gzip_bomb_is_a_read_error(arm: Emulator) -> None:
    arm.add_fault(Fault(VAULTS, 200, times=None, gzip_bomb=64 * 1024 * 1024))
    live = live_scan(arm)
    assert live.code == 3, live.stderr
    error = live.report["coverage"]["read_errors"][0]
    assert (error["data"], error["error"]) == ("Microsoft.KeyVault/vaults",
                                               "response larger than 32 MiB after decompression")


def test_the_scan_deadline_ends_a_slow_drip_and_the_scan_still_reports(arm: Emulator, offline: Run) -> None:
    arm.add_fault(Fault(VAULTS, 200, times=None, drip=0.5))  # the answer would take minutes
    started = time.monotonic()
    live = live_scan(arm, "--deadline", "8s")
    assert time.monotonic() - started < 60
    assert live.code == 3, live.stderr
    assert ("/subscriptions/" + SUB1, "Microsoft.KeyVault/vaults") in errors(live)
    assert any("scan deadline" in g["error"] for g in live.report["coverage"]["read_errors"])
    assert live.report["summary"]["results"]  # judged what was read


def test_a_storm_of_transient_faults_loses_nothing_readable(offline: Run) -> None:
    """429 on every 4th request, 500 on every 7th, one subscription forbidden: every resource of
    the readable subscriptions gets the offline scan's verdict, and the forbidden subscription is
    the only read error (`python bench/bench_storm.py` repeats this run)."""
    storm = Storm(every_429=4, every_500=7, retry_after="1")
    with Emulator(SAMPLE_ESTATE, token=TOKEN, storm=storm, faults=[Fault(f"^/subscriptions/{SUB3}/", 403, times=None)]
                  ) as arm:
        live = bcdr_scan("scan", "--policy", str(SAMPLE_POLICY), "--arm-endpoint", arm.url, "--format", "json",
                         "--include-passed", env=live_env(arm))
        statuses = [r.status for r in arm.requests]
    assert statuses.count(429) >= len(statuses) // 5 and statuses.count(500) >= len(statuses) // 10
    assert live.code == 3, live.stderr
    assert [(g["scope"], g["data"], g["status"]) for g in live.report["coverage"]["read_errors"]] == [
        (f"/subscriptions/{SUB3}", "*", 403)]
    expected = with_sub3_unread(outcomes(offline.report) - in_sub(outcomes(offline.report), SUB3))
    assert outcomes(live.report) - in_sub(outcomes(live.report), SUB3) == expected


# Rich markup, escape sequences (SGR, OSC 8 hyperlink, C1 CSI), Markdown link and image, HTML.
MARKUP = ("[/oops] [link=https://evil]x[/link] \x1b[31mred\x1b[0m \x1b]8;;https://evil\x07osc\x1b]8;;\x07 \x9b2J "
          "![x](https://evil/p.png) [click](https://evil) <img src=x>")
CONTROL = "[\x00-\x08\x0b-\x1f\x7f-\x9f]"


def test_server_text_reaches_the_terminal_the_logs_and_markdown_as_text(offline: Run) -> None:
    """A resource named with markup and escapes, and an error code full of them, served live: the
    table, the Markdown report and the -vv logs show them as text, and nothing breaks or renders."""
    estate = Estate.load(SAMPLE_ESTATE)
    failing = next(f["resource"]["id"] for f in offline.report["findings"] if f["resource"]["id"].split("/")[2] == SUB1)
    doc = next(d for d in estate.resources if d["id"].lower() == failing.lower())
    doc["name"] = f"{doc['name']} {MARKUP}"
    with Emulator(estate, token=TOKEN, faults=[Fault(VAULTS, 403, times=None, code=f"Denied{MARKUP}")]) as arm:
        runs = {fmt: live_report(arm, fmt, "-vv") for fmt in ("table", "markdown", "sarif")}
    for fmt, run in runs.items():
        assert run.code == 3 and "Traceback" not in run.stderr, (fmt, run.stderr)
        assert not re.search(CONTROL, run.stdout + run.stderr), fmt
        assert "Denied[/oops]" in run.stderr and "\\x1b[31mred" in run.stderr  # the -vv log of the read gap
    table = runs["table"].stdout
    assert "[/oops]" in table and "[link=https://evil]x[/link]" in table and "\\x9b2J" in table
    markdown = runs["markdown"].stdout
    assert "](https://evil" not in markdown.replace("\\](", "") and "<img" not in markdown.replace("&lt;img", "")
    sarif = json.loads(runs["sarif"].stdout)["runs"][0]
    notices = sarif["invocations"][0]["toolExecutionNotifications"]
    texts = [m["message"]["text"] for m in [*sarif["results"], *notices]]
    assert any("Denied\\[/oops\\]" in t for t in texts)  # the read error, its brackets escaped as SARIF asks
    assert not any("[click](https://evil)" in t or "\x1b" in t for t in texts)
