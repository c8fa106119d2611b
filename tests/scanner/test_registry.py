import sys
import textwrap
from pathlib import Path

import pytest

from scanner.check import Check
from scanner.errors import InputError
from scanner.registry import discover, select


def test_bundled_checks_are_discovered_with_complete_metadata():
    checks = discover(include_plugins=False)
    ids = [c.id for c in checks]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    for check in checks:
        meta = check.metadata()
        assert meta["rationale"] and meta["guidance"] and meta["remediation"]["summary"], check.id
        assert set(check.logic) == {"redeploy", "backup-restore", "warm-spare", "hot-spare"}, check.id
        assert check.resource_types() and all("/" in t for t in check.resource_types()), check.id


def test_each_bundled_check_lives_in_its_own_module():
    modules = [type(c).__module__ for c in discover(include_plugins=False)]
    assert len(modules) == len(set(modules))


def test_each_bundled_check_has_a_test_file():
    repo = Path(__file__).resolve().parents[2]
    for check in discover(include_plugins=False):
        module = type(check).__module__  # checks.<service>.<concern>
        _, service, concern = module.split(".")
        test_file = repo / "tests" / "checks" / service / f"test_{concern}.py"
        assert test_file.exists(), f"{check.id}: expected {test_file.relative_to(repo)}"


def test_third_party_checks_load_from_the_entry_point_group(tmp_path: Path, monkeypatch):
    package = tmp_path / "acme_bcdr_checks.py"
    package.write_text(textwrap.dedent('''
        from scanner.check import Check, Remediation, Severity

        class AcmeTagCheck(Check):
            id = "ACME-001"
            title = "Data resource has an owner tag"
            service = "Storage"
            resource_type = "Microsoft.Storage/storageAccounts"
            severity = Severity.LOW
            rationale = "Someone must answer the pager."
            guidance = "Each Data Landing Zone must decide on the Recovery Point Objective."
            logic = {s: "fail without an owner tag" for s in ("redeploy", "backup-restore", "warm-spare", "hot-spare")}
            remediation = Remediation("Tag the account with its owner.")

            def evaluate(self, resource, ctx):
                return self.passed("tagged") if "owner" in resource.tags else self.failed(
                    "no owner tag", observed=None, required="owner tag")
    '''))
    dist = tmp_path / "acme_bcdr_checks-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-bcdr-checks\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[bcdr_scan.checks]\nacme = acme_bcdr_checks\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        ids = [c.id for c in discover()]
    finally:
        sys.modules.pop("acme_bcdr_checks", None)
    assert "ACME-001" in ids and "STG-001" in ids


def test_select_narrows_and_skips_case_insensitively():
    checks = discover(include_plugins=False)
    assert [c.id for c in select(checks, ["stg-001"])] == ["STG-001"]
    assert "STG-001" not in [c.id for c in select(checks, [], ["Stg-001"])]
    with pytest.raises(InputError, match="unknown check id 'NOPE'"):
        select(checks, [], ["nope"])


def test_a_check_without_metadata_is_rejected(tmp_path: Path, monkeypatch):
    from scanner import registry

    class Incomplete(Check):
        id = "X-1"

    with pytest.raises(TypeError, match="lacks metadata"):
        registry._collect({}, [Incomplete], "test")


def test_check_and_skip_check_take_globs_case_insensitively():
    checks = discover(include_plugins=False)
    storage = [c.id for c in checks if c.id.startswith("STG-")]
    assert len(storage) > 1
    assert [c.id for c in select(checks, ["stg-*"])] == storage
    assert [c.id for c in select(checks, ["STG-*"], ["stg-00[2-9]"])] == ["STG-001"]
    kept = {c.id for c in select(checks, [], ["*-00[1-3]"])}
    assert "STG-004" in kept and not kept & {"STG-001", "STG-003", "COS-002"}


@pytest.mark.parametrize(("include", "exclude", "message"), [
    (["NOPE-*"], [], "no check id matches 'NOPE-*'"),
    ([], ["xyz?"], "no check id matches 'XYZ?'"),
    (["STG-001"], ["STG-001"], "skips every check selected"),
    ([], ["*"], "skips every check selected"),
])
def test_a_pattern_matching_nothing_or_a_selection_leaving_nothing_is_an_error(include, exclude, message):
    with pytest.raises(InputError, match=message.replace("*", r"\*").replace("?", r"\?")):
        select(discover(include_plugins=False), include, exclude)
