"""Idioms met in public landing-zone template sets (bench/bench_source_map.py), each reproduced by a
small template written for the test: what the source map must read, and what it must leave unmapped."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from scanner.iac import files, source_map_for
from scanner.iac.index import build_index
from scanner.iac.sourcemap import SourceMap
from tests.helpers import REPO
from tests.reporters.run import bcdr

SUB = "00000000-0000-4000-8000-0000000000aa"
STORAGE = "Microsoft.Storage/storageAccounts"


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def account_id(name: str, group: str = "rg-lake") -> str:
    return f"/subscriptions/{SUB}/resourceGroups/{group}/providers/{STORAGE}/{name}"


def sites(index_root: Path, resource_type: str, name: str, group: str = "rg-lake", plans: list[Path] | None = None,
          resource_id: str | None = None) -> set[tuple[str, int]]:
    found = SourceMap(build_index(index_root, plans or [])).candidates(resource_type, name, group, resource_id)
    return {(d.loc.file, d.loc.line) for _, d in found}


def test_a_linter_pragma_inside_a_body_keeps_the_resource_and_its_property_lines(tmp_path: Path):
    """`#disable-next-line <rule>` above a property (the DLZ data product templates silence BCP037 so):
    before, the parser stopped at `#` and lost the whole factory declaration."""
    write(tmp_path, "factory.bicep", "param suffix string = 'ingest'\n"
                                     "resource lake 'Microsoft.Storage/storageAccounts@2023-05-01' = {\n"
                                     "  name: 'stlake${suffix}'\n"
                                     "  properties: {\n"
                                     "    #disable-next-line BCP037\n"
                                     "    unknownToTheTypeSystem: true\n"
                                     "  }\n"
                                     "  #disable-next-line use-stable-resource-identifiers\n"
                                     "  sku: {\n"
                                     "    name: 'Standard_LRS'\n"
                                     "  }\n"
                                     "}\n")
    index = build_index(tmp_path)
    assert index.problems == []
    [declaration] = [d for d in index.declarations if d.name == "stlakeingest"]
    assert declaration.properties[("sku", "name")].line == 10
    assert declaration.properties[("properties", "unknownToTheTypeSystem")].line == 6


TERRAFORM_CALL = """module "lake" {
  source   = "git::https://example.invalid/modules/storage.git?ref=v1"
  for_each = toset(["raw", "curated"])

  account_name             = "stlake${each.key}"
  account_replication_type = "LRS"
}
"""


def state(*names: str) -> dict:
    """`terraform show -json` of a state whose accounts are declared inside the git-hosted module."""
    return {"format_version": "1.0", "terraform_version": "1.9.0", "values": {"root_module": {"child_modules": [{
        "address": f'module.lake["{name}"]', "resources": [{
            "address": f'module.lake["{name}"].azurerm_storage_account.this', "mode": "managed",
            "type": "azurerm_storage_account", "name": "this",
            "values": {"name": f"stlake{name}", "resource_group_name": "rg-lake", "id": account_id(f"stlake{name}")}}]}
        for name in names]}}}


def test_a_resource_of_a_git_hosted_module_maps_to_its_module_call_only_with_a_state(tmp_path: Path):
    """Terraform landing zones (hmcts/terraform-module-data-landing-zone) declare every data resource
    inside modules fetched from git: the resource block is not in the tree and the module's use of
    `account_name` is not either, so HCL alone leaves it unmapped. A state names each resource exactly
    and gives its module address: the call of that module is the tree's place for it."""
    root = tmp_path / "repo"
    write(root, "main.tf", TERRAFORM_CALL)
    assert sites(root, STORAGE, "stlakeraw") == set()  # HCL only: the name is never guessed
    plan = write(tmp_path, "state.json", json.dumps(state("raw", "curated")))
    index = build_index(root, [plan])
    [declaration] = [d for d in index.declarations if d.name == "stlakeraw"]
    assert (declaration.loc.file, declaration.loc.line) == ("main.tf", 1)
    assert declaration.properties == {}  # the call's arguments are not the account's attributes
    matched = SourceMap(index).candidates(STORAGE, "stlakeraw", "rg-lake", account_id("stlakeraw"))
    assert [(strength, d.resource_id) for strength, d in matched] == [(3, account_id("stlakeraw"))]


def test_a_state_of_a_module_the_tree_does_not_call_is_refused(tmp_path: Path):
    root = tmp_path / "repo"
    write(root, "main.tf", 'module "other" {\n  source = "git::https://example.invalid/x.git"\n}\n')
    plan = write(tmp_path, "state.json", json.dumps(state("raw")))
    index = build_index(root, [plan])
    assert index.declarations == []
    assert any("no module of the source root declares its resources" in p.reason for p in index.problems)


def git_repository(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(path)], check=True, capture_output=True)
    return path


def test_sample_uses_the_bundled_iac_wherever_it_runs_and_source_root_overrides(tmp_path: Path):
    """Run from another repository, `--sample` still maps to the sample's own IaC (URIs as they are in the
    bcdr-scan repository), never to the templates of the work tree it happens to run in."""
    elsewhere = git_repository(tmp_path / "elsewhere")
    write(elsewhere, "kv.bicep", "resource v 'Microsoft.KeyVault/vaults@2023-07-01' = {\n"
                                 "  name: 'kv-sales-serving-weu'\n}\n")
    sample = bcdr("scan", "--sample", "--format", "json", cwd=elsewhere).json()
    assert sample["source_map"]["root"] == "fixtures/sample-iac"
    files_mapped = {f["source"]["file"] for f in sample["findings"] if f["source"]["status"] == "mapped"}
    assert files_mapped and all(f.startswith("fixtures/sample-iac/") for f in files_mapped)
    overridden = bcdr("scan", "--sample", "--source-root", elsewhere, "--format", "json", cwd=elsewhere).json()
    vault = [f for f in overridden["findings"] if f["resource"]["name"] == "kv-sales-serving-weu"]
    assert vault and {f["source"]["file"] for f in vault} == {"kv.bicep"}


def test_a_snapshot_scan_in_an_unrelated_repository_skips_tool_directories_and_says_when_a_bound_stops(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    repo = git_repository(tmp_path / "app")
    account = "resource s 'Microsoft.Storage/storageAccounts@2023-05-01' = {\n  name: 'stsalesrawweu'\n}\n"
    for skipped in ("node_modules/pkg", ".terraform/modules/x", ".git/x", "venv/lib"):
        write(repo, f"{skipped}/copy.bicep", account)
    write(repo, "infra/lake.bicep", account)
    report = bcdr("scan", "--snapshot", REPO / "fixtures" / "sample-estate", "--format", "json", cwd=repo)
    document = report.json()
    assert document["source_map"]["root"] == "." and document["source_map"]["files"] == {"bicep": 1}
    assert "source map indexed part" not in report.err
    for i in range(4):
        write(repo, f"more/t{i}.json", "{}")
    monkeypatch.setattr(files, "MAX_FILES", 3)
    source_map = source_map_for(None, disabled=False, cwd=repo)
    assert source_map is not None and len(source_map.index.problems) == 1
    assert source_map.index.problems[0].to_json()["bound"] is True
    line = capsys.readouterr().err.strip()
    assert line.startswith("bcdr-scan: notice: the source map indexed part of") and "more than 3" in line
    assert "--source-root DIR" in line and "\n" not in line


def test_the_table_shows_where_the_fix_is_written_within_80_columns():
    run = bcdr("scan", "--sample", "--format", "table", env={"COLUMNS": "80"})
    lines = run.out.splitlines()
    assert max(len(line) for line in lines) <= 80
    located = [line.strip() for line in lines if line.strip().startswith("at fixtures/sample-iac/")]
    assert any(line.startswith("at fixtures/sample-iac/sales/modules/lake.bicep:") for line in located)
    report = bcdr("scan", "--sample", "--format", "json").json()
    assert len(located) == report["summary"]["source_map"]["mapped"]


def test_a_parameters_file_of_another_template_version_is_not_used_and_says_why(tmp_path: Path):
    """The ARM layout of the data product templates keeps `params.x001.json` beside `deploy.x.json`; a
    parameters file that sets a parameter the template does not declare (its version drifted) would be
    refused by ARM, so its values name nothing: the account stays unmapped, and the index says why."""
    write(tmp_path, "lake/deploy.lake.json", json.dumps({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "parameters": {"accountName": {"type": "string"}},
        "resources": [{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01",
                       "name": "[parameters('accountName')]", "sku": {"name": "Standard_LRS"}}]}, indent=1))
    params = {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#"}
    write(tmp_path, "lake/params.lake001.json", json.dumps({**params, "parameters": {
        "accountName": {"value": "stlakeraw"}, "containerNames": {"value": ["raw"]}}}))
    write(tmp_path, "lake/params.lake002.json", json.dumps({**params, "parameters": {
        "accountName": {"value": "stlakecurated"}}}))
    index = build_index(tmp_path)
    assert sites(tmp_path, STORAGE, "stlakeraw") == set()
    assert {file for file, _ in sites(tmp_path, STORAGE, "stlakecurated")} == {"lake/deploy.lake.json"}
    assert [(p.file, p.reason) for p in index.problems] == [
        ("lake/params.lake001.json",
         "fits no template in its directory (deploy.lake.json does not declare containerNames); not used")]
