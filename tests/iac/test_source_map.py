"""The source map on the fixture repository: SARIF results on the expected file and line, ambiguous
declarations left unmapped, fingerprints unchanged, untrusted trees bounded."""

from __future__ import annotations

import json
import os
from pathlib import Path

from scanner.iac.bicep_parser import parse_bicep
from scanner.iac.index import build_index
from scanner.iac.values import FUNCTIONS, UNKNOWN, Pattern, Wild, call
from scanner.reporters.sarif import fingerprint
from tests.helpers import REPO
from tests.reporters.run import bcdr, validate_report, validate_sarif

FIXTURE = REPO / "fixtures" / "sample-iac"
ROOT = "fixtures/sample-iac"


def sample(fmt: str, *args: object) -> dict:
    run = bcdr("scan", "--sample", "--source-root", FIXTURE, "--format", fmt, *args)
    assert run.code in (0, 1, 3), run.err
    return run.json()


def sarif_results() -> dict[tuple[str, str], dict]:
    document = sample("sarif")
    validate_sarif(document)
    return {(r["ruleId"], r["properties"]["resourceId"].rsplit("/", 1)[-1]): r for r in document["runs"][0]["results"]}


def where(result: dict) -> tuple[str, int]:
    physical = result["locations"][0]["physicalLocation"]
    return physical["artifactLocation"]["uri"], physical["region"]["startLine"]


def line_of(relative: str, text: str) -> int:
    """The 1-based line of the first line of the fixture file containing `text`."""
    lines = (FIXTURE / relative).read_text("utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def test_sarif_results_land_on_the_judged_property_in_bicep_arm_and_terraform():
    results = sarif_results()
    expected = {
        # Bicep: a module called in a loop, the sku set from a module parameter
        ("STG-002", "stsalescuratedweu"): ("sales/modules/lake.bicep", "name: skuName"),
        # Bicep: a nested child resource (blobServices) of the module's account
        ("STG-006", "stsalesenrichedweu"): ("sales/modules/lake.bicep", "containerDeleteRetentionPolicy:"),
        # Bicep: the name from format() and the parameters file; `if` condition on the module
        ("COS-002", "cosmos-sales-recommendations"): ("sales/modules/cosmos.bicep", "enableAutomaticFailover"),
        # Bicep: `parent:` an existing server
        ("SQL-004", "sqldb-sales-forecast"): ("sales/serving-sql.bicep", "zoneRedundant: false"),
        # ARM: variables built with concat / format from a parameters file
        ("COS-001", "cosmos-dmlz-catalog-weu"): ("dmlz/azuredeploy.json", '"locations"'),
        # ARM: a nested deployment (inner scope) and a linked template
        ("KV-003", "kv-dmlz-shir-plc"): ("dmlz/azuredeploy.json", '"location": "westeurope"'),
        # (no property judged: the resource object's first line, the `{` above its type)
        ("EVH-002", "evhns-dmlz-telemetry-weu"): ("dmlz/nested/eventhub.json", '"resources": ['),
        # Terraform: a module with for_each, names from tfvars; nested blocks
        ("STG-001", "stresearchcuratedgwc"): ("research/modules/lake/main.tf", "account_replication_type"),
        ("STG-005", "stresearchrawgwc"): ("research/modules/lake/main.tf", "delete_retention_policy {"),
        ("SQL-003", "sqldb-research-experiments"): ("research/main.tf", 'storage_account_type = "Local"'),
        ("KV-002", "kv-research-lake-gwc"): ("research/main.tf", "soft_delete_retention_days = 14"),
    }
    for key, (file, text) in expected.items():
        assert key in results, key
        line = line_of(file, text) + (1 if text == '"resources": [' else 0)
        assert where(results[key]) == (f"{ROOT}/{file}", line), key
        assert results[key]["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"


def test_a_property_the_template_leaves_out_points_at_the_declaration():
    results = sarif_results()
    uri, line = where(results[("KV-001", "kv-sales-serving-weu")])  # enablePurgeProtection not written
    assert (uri, line) == (f"{ROOT}/sales/keyvault.bicep", line_of("sales/keyvault.bicep", "resource servingVault"))
    uri, line = where(results[("SQL-002", "sqldb-sales-forecast")])  # no property judges a failover group
    assert line == line_of("sales/serving-sql.bicep", "resource forecast")


def test_ambiguous_declarations_stay_unmapped_with_the_resource_location():
    results = sarif_results()
    result = results[("GEN-001", "kv-sales-ingest-weu")]  # declared by keyvault.bicep and legacy/keyvault.bicep
    uri, line = where(result)
    assert uri.startswith("azure/") and line == 1
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "AZURE_RESOURCES"
    assert result["properties"]["source"] == {"status": "ambiguous", "candidates": 2}


def test_a_resource_group_the_template_names_rules_out_other_groups():
    """stsalesexportsneu (rg-sales-dr) has the name pattern of no declaration; stsalesexportsweu is in
    rg-sales-serving, the group the loop's module scope names."""
    results = sarif_results()
    assert where(results[("STG-009", "stsalesexportsweu")])[0] == f"{ROOT}/sales/modules/lake.bicep"
    assert all(not where(r)[0].startswith(ROOT) for (_, name), r in results.items() if name == "stsalesexportsneu")


def test_fingerprints_and_logical_locations_do_not_change_with_the_mapping():
    mapped = sarif_results()
    plain = {(r["ruleId"], r["properties"]["resourceId"].rsplit("/", 1)[-1]): r for r in
             bcdr("scan", "--sample", "--no-source-map", "--format", "sarif").json()["runs"][0]["results"]}
    assert mapped.keys() == plain.keys()
    for key, result in mapped.items():
        resource_id = result["properties"]["resourceId"]
        assert result["partialFingerprints"] == plain[key]["partialFingerprints"] == {
            "bcdrScan/v1": fingerprint(result["ruleId"], resource_id)}
        assert result["locations"][0]["logicalLocations"] == plain[key]["locations"][0]["logicalLocations"]
        assert result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == resource_id


def test_json_and_markdown_reports_show_the_source_and_the_counts():
    report = sample("json")
    validate_report(report)
    counts = report["summary"]["source_map"]
    assert counts == {k: report["source_map"][k] for k in ("mapped", "ambiguous", "unmapped")}
    assert sum(counts.values()) == report["summary"]["findings"] + report["summary"]["suppressed"]
    assert counts["mapped"] >= 30 and counts["ambiguous"] == 1
    assert report["source_map"]["files"] == {"bicep": 6, "arm": 2, "terraform": 3}
    finding = next(f for f in report["findings"] if f["check_id"] == "STG-002" and "curated" in f["resource"]["name"])
    assert finding["source"]["file"] == f"{ROOT}/sales/modules/lake.bicep"
    assert finding["source"]["property"] == "sku.name"
    markdown = bcdr("scan", "--sample", "--source-root", FIXTURE, "--format", "markdown").out
    assert f"{counts['mapped']} of {report['summary']['findings']} findings located" in markdown
    assert f"`{ROOT}/sales/modules/lake.bicep:{line_of('sales/modules/lake.bicep', 'name: skuName')}`" in markdown


def test_the_default_source_root_is_the_git_work_tree_and_no_source_map_turns_it_off(tmp_path: Path):
    estate = REPO / "fixtures" / "sample-estate"
    default = bcdr("scan", "--snapshot", estate, "--format", "json").json()  # the tests run in this work tree
    assert default["source_map"]["root"] == "." and default["summary"]["source_map"]["mapped"] > 0
    sample = bcdr("scan", "--sample", "--format", "json").json()  # --sample: its own IaC (tests/iac/test_idioms.py)
    assert sample["source_map"]["root"] == "fixtures/sample-iac"
    off = bcdr("scan", "--sample", "--no-source-map", "--format", "json").json()
    assert "source_map" not in off and "source" not in off["findings"][0]
    refused = bcdr("scan", "--sample", "--no-source-map", "--source-root", FIXTURE)
    assert refused.code == 2 and "--no-source-map" in refused.err
    missing = bcdr("scan", "--sample", "--source-root", tmp_path / "nowhere")
    assert missing.code == 2 and "--source-root must be a directory" in missing.err and "Traceback" not in missing.err


def test_a_terraform_plan_gives_exact_names_and_ids(tmp_path: Path):
    account = ("/subscriptions/6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e03/resourceGroups/rg-research-sandbox/providers/"
               "Microsoft.Storage/storageAccounts/stresearchsbxgwc")
    plan = {"format_version": "1.2", "terraform_version": "1.11.4", "values": {"root_module": {"child_modules": [{
        "address": 'module.lake["sandbox"]', "resources": [{
            "address": 'module.lake["sandbox"].azurerm_storage_account.this', "mode": "managed",
            "type": "azurerm_storage_account", "name": "this",
            "values": {"name": "stresearchsbxgwc", "resource_group_name": "rg-research-sandbox", "id": account}}]}]}}}
    path = tmp_path / "state.json"
    path.write_text(json.dumps(plan), "utf-8")
    report = sample("json", "--terraform-plan", path)
    findings = [f for f in report["findings"] if f["resource"]["id"] == account]
    assert findings and all(f["source"]["matched_by"] == "resource id" for f in findings)
    assert {f["source"]["file"] for f in findings} == {f"{ROOT}/research/modules/lake/main.tf"}
    assert {f["source"]["declaration_line"] for f in findings} == {
        line_of("research/modules/lake/main.tf", 'resource "azurerm_storage_account"')}


def test_symlinks_out_of_the_root_and_paths_out_of_it_are_refused(tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.bicep").write_text("resource s 'Microsoft.Storage/storageAccounts@2023-05-01' = {\n"
                                          "  name: 'stoutside'\n}\n", "utf-8")
    root = tmp_path / "repo"
    root.mkdir()
    os.symlink(outside / "secret.bicep", root / "linked.bicep")
    os.symlink(outside, root / "linked-dir")
    (root / "main.bicep").write_text("module m '../outside/secret.bicep' = {\n  name: 'm'\n}\n", "utf-8")
    index = build_index(root)
    assert index.declarations == []
    reasons = " ".join(p.reason for p in index.problems)
    assert "symlink out of the source root" in reasons and "not a file inside the source root" in reasons


def test_hostile_text_in_a_template_is_escaped_in_the_reports(tmp_path: Path):
    """A path with Markdown in it is shown as code in the markdown report, never as a link."""
    root = tmp_path / "[x](javascript:alert(1))"
    root.mkdir()
    (root / "kv.bicep").write_text("resource v 'Microsoft.KeyVault/vaults@2023-07-01' = {\n"
                                   "  name: 'kv-sales-serving-weu'\n}\n", "utf-8")
    markdown = bcdr("scan", "--sample", "--source-root", root, "--format", "markdown").out
    assert "`kv.bicep:1`" in markdown and "[x](javascript" not in markdown.split("`")[0::2][-1]


def test_the_tolerant_parser_keeps_the_declarations_around_syntax_it_cannot_read():
    program = parse_bicep("param a string\n"
                          "func double(x int) int => x * 2\n"
                          "type t = { a: string, @minLength(2) b: string }\n"
                          "var x = ??? broken\n"
                          "resource s 'Microsoft.Storage/storageAccounts@2023-05-01' = {\n  name: 'st${a}'\n}\n")
    assert [s.keyword for s in program.statements] == ["param", "resource"]
    assert program.errors and program.errors[0].line == 4


def test_name_patterns_need_evidence_and_unique_string_has_its_shape():
    assert Pattern.of(["st", "sales", "raw"]) == "stsalesraw"
    prefixed = Pattern.of([UNKNOWN, "-raw"])
    assert isinstance(prefixed, Pattern) and prefixed.matches("contoso-dev-raw") and not prefixed.matches("x-raw/y")
    unique = Pattern.of(["st", call(FUNCTIONS, "uniqueString", [UNKNOWN])])
    assert isinstance(unique, Pattern) and unique.evidence
    assert unique.matches("st4k2j8s9d0f1g2") and not unique.matches("stsalesrawweu")
    assert not Pattern((Wild(), "ab")).evidence  # two known characters tell nothing apart
