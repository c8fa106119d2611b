"""The command-line side of live collection: option validation and what the report is told."""

from __future__ import annotations

import io

import click
import pytest
from rich.console import Console

from scanner.collect.collector import CollectionError, Scope
from scanner.collect.options import LiveOptions, collect_inventory
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
