"""The command-line side of live collection: option validation and what the report is told."""

from __future__ import annotations

import io
from typing import Any

import click
import pytest
from click.testing import CliRunner
from rich.console import Console

from scanner.cli import cli
from scanner.collect.bounds import SCAN_DEADLINE
from scanner.collect.collector import CollectionError, Scope
from scanner.collect.options import DEFAULT_DEADLINE, LiveOptions, collect_inventory
from scanner.collect.progress import ProgressDisplay
from scanner.model import Inventory
from tests.collect.conftest import collector
from tests.emulator import Emulator

SUB = "6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e01"


@pytest.mark.parametrize(("live", "message"), [
    (LiveOptions(subscriptions=("sales-prod",)), "--subscription expects a subscription id"),
    (LiveOptions(exclude_subscriptions=("x",)), "--exclude-subscription expects a subscription id"),
    (LiveOptions(subscriptions=(SUB,), exclude_subscriptions=(SUB.upper(),)), "both included and excluded"),
    (LiveOptions(arm_endpoint="http://arm.invalid:8443"), "must be an https:// URL"),
])
def test_bad_collection_options_are_usage_errors_before_any_request(live: LiveOptions, message: str,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BCDR_SCAN_TOKEN", "t")
    with pytest.raises(click.UsageError, match=message):
        collect_inventory(live)


def test_collection_options_are_named_when_refused_for_a_snapshot() -> None:
    assert LiveOptions().given() == []
    live = LiveOptions(subscriptions=(SUB,), resource_groups=("rg",), max_concurrency=4, verbose=2)
    assert live.given() == ["--subscription", "--resource-group", "--max-concurrency"]
    with pytest.raises(click.UsageError, match="--subscription, --resource-group, --max-concurrency apply only"):
        live.reject_for_snapshot()


def test_the_report_scope_is_what_was_asked_for_even_where_unreadable() -> None:
    inventory = Inventory(source={"arm_endpoint": "https://arm", "scopes": {"scanned_subscriptions": [SUB, "b"]}})
    scopes = LiveOptions(cloud="AzureChinaCloud", resource_groups=("rg-a",)).report_scopes(inventory)
    assert scopes == {"subscriptions": [SUB, "b"], "excluded_subscriptions": [], "resource_groups": ["rg-a"],
                      "cloud": "AzureChinaCloud", "arm_endpoint": "https://arm"}


def test_a_token_refused_for_a_named_subscription_stops_the_scan(arm: Emulator) -> None:
    live = collector(arm, Scope(subscriptions=(SUB,)))
    arm.token = "another"
    with pytest.raises(CollectionError, match="ARM refused the token"):
        live.collect()


def test_the_progress_display_ends_with_what_was_collected(arm: Emulator) -> None:
    out = io.StringIO()
    live = collector(arm)
    with ProgressDisplay(live, Console(file=out, force_terminal=True, width=200)):
        inventory = live.collect()
    subscriptions = len(arm.index.subscriptions)
    assert f"collected {subscriptions}/{subscriptions} subscriptions · {len(inventory.resources)} resources · " \
           f"{len(arm.requests)} requests · 0 throttled · 0 read gaps" in out.getvalue()


@pytest.mark.parametrize(("given", "seconds"), [("30s", 30.0), ("15m", 900.0), ("1h30m", 5400.0), ("PT2H", 7200.0),
                                                ("7d", 604800.0)])
def test_deadline_takes_a_duration(given: str, seconds: float, mocker: Any) -> None:
    collect = mocker.patch("scanner.cli.collect_inventory", side_effect=click.ClickException("stop here"))
    result = CliRunner().invoke(cli, ["scan", "--deadline", given])
    assert result.exit_code == 1 and "stop here" in result.output
    assert collect.call_args.args[0].deadline == seconds


@pytest.mark.parametrize("given", ["0s", "8d", "soon", "1e999d", "99999999999999999999d", "-5m"])
def test_a_deadline_that_is_no_duration_or_absurd_is_a_usage_error(given: str) -> None:
    result = CliRunner().invoke(cli, ["scan", "--deadline", given])
    assert result.exit_code == 2 and "Invalid value for '--deadline'" in result.output


def test_the_default_deadline_is_the_collectors() -> None:
    assert LiveOptions().deadline == DEFAULT_DEADLINE == SCAN_DEADLINE
    assert "--deadline" in LiveOptions(deadline=60.0).given()


def test_the_report_scope_counts_the_documents_that_could_not_be_kept() -> None:
    dropped = {"malformed": 1, "foreign_scope": 0, "wrong_type": 0, "duplicate_id": 2}
    inventory = Inventory(source={"arm_endpoint": "https://arm", "dropped_documents": dropped})
    assert LiveOptions().report_scopes(inventory)["dropped_documents"] == dropped
