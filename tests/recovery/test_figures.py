"""The table of documented figures and how a figure is compared with a zone's objective."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scanner.engine import evaluate
from scanner.policy import load_policy
from scanner.recovery import ESTIMATORS
from scanner.recovery.figures import DATA_LOST, DOCUMENTED, MINUTES, Verdict, undocumented, unread, within
from scanner.recovery.model import SCENARIOS, Option, best
from scanner.recovery.readiness import estimates
from scanner.registry import discover
from scanner.snapshot import load_snapshot
from tests.checks.storage.builders import account
from tests.helpers import REPO
from tests.recovery.test_estimates import chosen

H = timedelta(hours=1)


@pytest.mark.parametrize("row", DOCUMENTED.values(), ids=lambda r: r.key)
def test_every_figure_of_the_table_cites_microsoft_and_states_both_objectives(row):
    assert row.url.startswith("https://learn.microsoft.com/"), row.key
    assert row.rpo_text() and row.rto_text(), row.key
    for figure in (row.rpo, row.rto):
        assert figure is None or figure.text


def test_every_estimate_of_the_sample_estate_cites_only_rows_of_the_table():
    scan = evaluate(load_snapshot(REPO / "fixtures" / "sample-estate"),
                    load_policy(REPO / "fixtures" / "policies" / "sample-policy.yaml"), discover())
    urls = {row.url for row in DOCUMENTED.values()}
    found = estimates(scan)
    assert len(found) == 69
    for item in found:
        for scenario in SCENARIOS:
            for option in item.options(scenario):
                if option.rpo.kind == option.rto.kind == "unknown" and not option.sources:
                    continue  # an input was not read: nothing to cite
                assert option.sources and set(option.sources) <= urls, (item.resource.name, option.mechanism)


@pytest.mark.parametrize(("figure", "target", "verdict"), [
    (within(4 * H), 4 * H, Verdict.MEETS),
    (within(4 * H), 4 * H - timedelta(seconds=1), Verdict.MISSES),
    (MINUTES, H, Verdict.MEETS),  # "minutes" is under an hour...
    (MINUTES, 59 * timedelta(minutes=1), Verdict.MISSES),  # ...and may be any of them
    (DATA_LOST, timedelta(days=3650), Verdict.MISSES),
    (undocumented(), timedelta(days=3650), Verdict.UNKNOWN),
    (unread("x"), timedelta(0), Verdict.UNKNOWN),
])
def test_a_figure_meets_a_target_only_when_its_worst_case_is_within_it(figure, target, verdict):
    assert figure.against(target) == verdict


def test_the_best_option_prefers_any_documented_duration_to_an_unknown_and_an_unknown_to_none():
    lost = Option("lost", DATA_LOST, DATA_LOST, ())
    partner = Option("partner", undocumented(), undocumented(), ())
    backup = Option("backup", within(36 * H), undocumented(), ())
    assert best([lost, partner]) is partner
    assert best([lost, partner, backup]) is backup
    assert best([Option("a", within(H), within(12 * H), ()), Option("b", within(H), within(H), ())]).mechanism == "b"


def test_a_crash_inside_an_estimator_gives_an_unknown_estimate(monkeypatch):
    monkeypatch.setitem(ESTIMATORS, "microsoft.storage/storageaccounts", lambda resource, ctx: 1 / 0)
    option = chosen(account(name="stcrash"))
    assert option.rpo.kind == "unknown" and "ZeroDivisionError" in option.rpo.text
