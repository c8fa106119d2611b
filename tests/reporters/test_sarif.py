"""SARIF for GitHub code scanning, produced by the real CLI and validated against the official schema."""

from __future__ import annotations

import gzip
from pathlib import Path

from scanner.baseline import apply_baseline, parse_baseline
from scanner.engine import evaluate
from scanner.policy import load_policy
from scanner.registry import discover
from scanner.reporters.base import ReportOptions
from scanner.reporters.sarif import SarifLimits, artifact_uri, sarif_document, serialize
from scanner.snapshot import load_snapshot
from tests.reporters.estate import (
    ACCOUNTS,
    POLICY,
    READ_ERROR,
    SUB_DMLZ,
    SUB_RESEARCH,
    SUB_SALES,
    account_id,
    snapshot,
    write_snapshot,
)
from tests.reporters.run import bcdr, resource_of, results, sarif, validate_sarif


def estate(tmp_path: Path, name: str = "estate.json", **changes: object) -> Path:
    return write_snapshot(tmp_path / name, snapshot(**changes))  # type: ignore[arg-type]


def by_key(document: dict) -> dict[tuple[str, str], dict]:
    """Results by (check id, lower-cased resource id): what should identify an alert."""
    return {(r["ruleId"], resource_of(r).lower()): r for r in results(document)}


def test_sample_estate_sarif_validates_against_the_official_schema():
    run = bcdr("scan", "--sample", "--format", "sarif")
    assert run.code in (0, 1, 3), run.err
    document = run.json()
    validate_sarif(document)
    assert document["version"] == "2.1.0" and len(document["runs"]) == 1


def test_driver_and_rules_carry_the_metadata_github_shows(tmp_path):
    run = sarif(estate(tmp_path))["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "bcdr-scan" and driver["version"] == driver["semanticVersion"]
    assert driver["informationUri"].startswith("https://")
    checks = {c.id: c for c in discover()}
    assert [r["id"] for r in driver["rules"]] == sorted(checks)
    stg = next(r for r in driver["rules"] if r["id"] == "STG-001")
    assert stg["helpUri"].endswith("/docs/checks/STG-001.md")
    assert stg["shortDescription"]["text"].startswith(checks["STG-001"].title)
    assert "Remediation" in stg["help"]["text"] and "## Remediation" in stg["help"]["markdown"]
    assert stg["defaultConfiguration"]["level"] == "error"
    assert {"reliability", "bcdr", "storage"} <= set(stg["properties"]["tags"])
    assert stg["properties"]["problem.severity"] == "error"
    for rule in driver["rules"]:
        assert "security-severity" not in rule["properties"]  # a reliability tool, not a security one
        assert len(rule["properties"]["tags"]) <= 10
        assert rule["name"] != rule["id"] and rule["name"][0].isupper()


def test_results_point_at_the_resource_and_name_the_gap(tmp_path):
    # --no-source-map: this repository's work tree holds IaC declaring these accounts (fixtures/sample-iac)
    run = sarif(estate(tmp_path), "--check", "STG-001", "--no-source-map")["runs"][0]
    curated = account_id("stsalescuratedweu")
    result = next(r for r in results({"runs": [run]}) if resource_of(r) == curated)
    assert result["ruleId"] == "STG-001" and run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "STG-001"
    assert result["level"] == "error"  # high
    assert "stsalescuratedweu" in result["message"]["text"] and "Standard_ZRS" in result["message"]["text"]
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == (
        f"azure/{SUB_SALES}/rg-sales-serving/microsoft.storage/storageaccounts/stsalescuratedweu")
    assert physical["region"] == {"startLine": 1}
    assert result["locations"][0]["logicalLocations"][0]["kind"] == "resource"
    assert result["properties"]["zone"] == "dlz-sales"


def test_levels_follow_severity(tmp_path):
    run = sarif(estate(tmp_path))["runs"][0]
    expected = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
    assert results({"runs": [run]})
    for result in results({"runs": [run]}):
        assert result["level"] == expected[result["properties"]["severity"]]


def test_fingerprints_do_not_depend_on_resource_order(tmp_path):
    first = sarif(estate(tmp_path, "a.json"))
    shuffled = sarif(estate(tmp_path, "b.json", shuffle_seed=11))
    assert snapshot()["resources"] != snapshot(shuffle_seed=11)["resources"]
    assert results(first) and results(first) == results(shuffled)


def test_fingerprint_and_location_survive_scan_time_and_id_casing(tmp_path):
    doc = snapshot()
    later = snapshot()
    later["collected_at"] = "2027-01-05T06:00:00Z"
    for resource in later["resources"]:
        resource["id"] = resource["id"].replace("resourceGroups", "resourcegroups").replace("rg-sales-", "RG-Sales-")
    before = by_key(sarif(write_snapshot(tmp_path / "a.json", doc), "--check", "STG-001"))
    after = by_key(sarif(write_snapshot(tmp_path / "b.json", later), "--check", "STG-001"))
    assert before.keys() == after.keys() and before
    for key, result in before.items():
        assert result["partialFingerprints"] == after[key]["partialFingerprints"]
        assert result["locations"][0]["physicalLocation"] == after[key]["locations"][0]["physicalLocation"]


def test_fixing_one_resource_removes_exactly_its_results(tmp_path):
    fixed_name = "stsalescuratedweu"
    fixed_id = account_id(fixed_name).lower()
    # STG-001 alone: the fix removes its one result and leaves every other result byte-identical.
    before = results(sarif(estate(tmp_path, "a.json"), "--check", "STG-001"))
    after = results(sarif(estate(tmp_path, "b.json", skus={fixed_name: "Standard_RAGZRS"}), "--check", "STG-001"))
    assert [r for r in before if resource_of(r).lower() != fixed_id] == after
    assert len(before) == len(after) + 1
    # The whole catalogue: nothing about any other resource changes, and the STG-001 alert closes.
    before = results(sarif(estate(tmp_path, "c.json")))
    after = results(sarif(estate(tmp_path, "d.json", skus={fixed_name: "Standard_RAGZRS"})))
    assert [r for r in before if resource_of(r).lower() != fixed_id] == \
           [r for r in after if resource_of(r).lower() != fixed_id]
    assert ("STG-001", fixed_id) in {(r["ruleId"], resource_of(r).lower()) for r in before}
    assert ("STG-001", fixed_id) not in {(r["ruleId"], resource_of(r).lower()) for r in after}


def test_automation_id_names_the_scope_and_can_be_overridden(tmp_path):
    whole = sarif(estate(tmp_path, "a.json"))["runs"][0]["automationDetails"]["id"]
    subscriptions = sorted(s["subscriptionId"].lower() for s in snapshot()["subscriptions"])
    assert {SUB_DMLZ, SUB_SALES, SUB_RESEARCH} <= set(subscriptions) and len(subscriptions) <= 5
    assert whole == f"bcdr-scan/{'+'.join(subscriptions)}/"
    sales_only = snapshot()
    sales_only["subscriptions"] = [s for s in sales_only["subscriptions"] if s["subscriptionId"] == SUB_SALES]
    sales_only["resources"] = [r for r in sales_only["resources"] if SUB_SALES in r["id"]]
    sales_only["gaps"] = []
    sales = sarif(write_snapshot(tmp_path / "b.json", sales_only))["runs"][0]["automationDetails"]["id"]
    assert sales == f"bcdr-scan/{SUB_SALES}/" != whole
    override = sarif(estate(tmp_path, "c.json"), "--sarif-category", "bcdr-scan/sales")
    assert override["runs"][0]["automationDetails"]["id"] == "bcdr-scan/sales/"
    bad = bcdr("scan", "--snapshot", estate(tmp_path, "d.json"), "--policy", POLICY, "--format", "sarif",
               "--sarif-category", "/")
    assert bad.code == 2 and "--sarif-category" in bad.err


def test_coverage_gaps_are_execution_notifications_not_results(tmp_path):
    run = sarif(estate(tmp_path))["runs"][0]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is True  # partial coverage: the tool still did its job
    assert invocation["startTimeUtc"].endswith("Z") and invocation["endTimeUtc"].endswith("Z")
    notes = invocation["toolExecutionNotifications"]
    read_errors = [n for n in notes if n["descriptor"]["id"] == "BCDR1001"]
    assert len(read_errors) == 1 and read_errors[0]["level"] == "error"
    assert READ_ERROR["scope"] in read_errors[0]["message"]["text"] and "403" in read_errors[0]["message"]["text"]
    unknown = [n for n in notes if n["descriptor"]["id"] == "BCDR1002"]
    staging = account_id("stresearchstaginggwc")
    assert any(n["associatedRule"]["id"] == "STG-001" and
               n["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == staging for n in unknown)
    assert all(resource_of(r) != staging or r["ruleId"] != "STG-001" for r in run["results"])
    assert run["properties"]["coverageComplete"] is False
    descriptors = run["tool"]["driver"]["notifications"]
    assert all(descriptors[n["descriptor"]["index"]]["id"] == n["descriptor"]["id"] for n in notes)


def test_execution_fails_only_when_nothing_could_be_read(tmp_path):
    doc = snapshot(drop=tuple(a[0] for a in ACCOUNTS))
    doc["gaps"] = [{"scope": f"/subscriptions/{SUB_SALES}", "data": "*", "status": 403,
                    "error": "AuthorizationFailed: no Reader role on the subscription"}]
    run = sarif(write_snapshot(tmp_path / "forbidden.json", doc))["runs"][0]
    assert run["invocations"][0]["executionSuccessful"] is False
    assert run["results"] == []
    clean = snapshot(with_read_error=False)
    assert sarif(write_snapshot(tmp_path / "clean.json", clean))["runs"][0]["invocations"][0]["executionSuccessful"]


def test_suppressed_findings_are_external_accepted_suppressions(tmp_path):
    baseline = tmp_path / "accepted.yaml"
    baseline.write_text(
        "version: 1\naccepted_risks:\n"
        f"  - check: STG-001\n    resource: {account_id('stsalesexportweu')}\n"
        "    justification: Export files are regenerated from the curated zone within the RTO.\n"
        "    owner: sales-data@contoso.com\n    expires: 2027-03-31\n", encoding="utf-8")
    run = sarif(estate(tmp_path), "--check", "STG-001", "--baseline", baseline)["runs"][0]
    suppressed = [r for r in run["results"] if "suppressions" in r]
    assert [resource_of(r) for r in suppressed] == [account_id("stsalesexportweu")]
    suppression = suppressed[0]["suppressions"][0]
    assert suppression["kind"] == "external" and suppression["status"] == "accepted"
    assert "regenerated from the curated zone" in suppression["justification"]
    assert "sales-data@contoso.com" in suppression["justification"]
    assert run["results"][-1] is suppressed[0]  # active findings first, suppressed last


def test_artifact_uri_is_relative_lower_case_and_uri_safe():
    rid = "/subscriptions/ABC/resourceGroups/RG-One/providers/Microsoft.Sql/servers/Srv/databases/My DB"
    assert artifact_uri(rid) == "azure/abc/rg-one/microsoft.sql/servers/srv/databases/my%20db"


def _scan(tmp_path: Path, with_baseline: bool = False):
    inventory = load_snapshot(estate(tmp_path))
    result = evaluate(inventory, load_policy(POLICY), discover())
    options = ReportOptions()
    if with_baseline:
        entries = {"version": 1, "accepted_risks": [{
            "check": "GEN-001", "resource": "*", "justification": "locks are managed by the platform team",
            "owner": "platform@contoso.com", "expires": "2027-01-31"}]}
        options = ReportOptions(baseline=apply_baseline(parse_baseline(entries, "b.yaml"), result))
    return result, options


def test_past_the_result_limit_the_least_severe_go_first_and_a_notification_says_so(tmp_path):
    result, options = _scan(tmp_path)
    full = sarif_document(result, options)
    total = len(results(full))
    assert total > 3
    capped = sarif_document(result, options, SarifLimits(max_results=3))
    validate_sarif(capped)
    assert results(capped) == results(full)[:3]
    severities = [r["properties"]["severity"] for r in results(full)]
    rank = ["info", "low", "medium", "high", "critical"]
    assert [rank.index(s) for s in severities] == sorted((rank.index(s) for s in severities), reverse=True)
    notes = [n for n in capped["runs"][0]["invocations"][0]["toolExecutionNotifications"]
             if n["descriptor"]["id"] == "BCDR1003"]
    assert len(notes) == 1 and notes[0]["properties"] == {"total": total, "kept": 3}


def test_past_the_compressed_size_limit_results_are_dropped_until_it_fits(tmp_path):
    result, options = _scan(tmp_path)
    full = sarif_document(result, options)
    empty = sarif_document(result, options, SarifLimits(max_results=0))
    small, large = (len(gzip.compress(serialize(d), mtime=0)) for d in (empty, full))
    limit = (small + large) // 2
    fitted = sarif_document(result, options, SarifLimits(max_gzip_bytes=limit))
    validate_sarif(fitted)
    assert len(gzip.compress(serialize(fitted), mtime=0)) <= limit
    kept = results(fitted)
    assert 0 < len(kept) < len(results(full)) and kept == results(full)[: len(kept)]
    assert any(n["descriptor"]["id"] == "BCDR1003" for n in fitted["runs"][0]["invocations"][0]
               ["toolExecutionNotifications"])


def test_suppressed_results_are_dropped_before_active_ones(tmp_path):
    result, options = _scan(tmp_path, with_baseline=True)
    full = results(sarif_document(result, options))
    active = [r for r in full if "suppressions" not in r]
    assert active and len(active) < len(full)
    capped = sarif_document(result, options, SarifLimits(max_results=len(active)))
    assert results(capped) == active
