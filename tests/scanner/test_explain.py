"""`bcdr-scan explain RESOURCE_ID`: the real command line on the sample estate and on hostile input."""

from __future__ import annotations

import json
import re

from tests.reporters.estate import account_id
from tests.reporters.run import bcdr
from tests.reporters.test_hostile_text import JWT, TOKEN, hostile_estate

SUB_DMLZ = "6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e01"
REFDATA = (f"/subscriptions/{SUB_DMLZ}/resourceGroups/rg-dmlz-shared/providers/Microsoft.Storage/storageAccounts/"
           "stdmlzrefdataweu")
ASSAYS = ("/subscriptions/6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e03/resourceGroups/rg-research-lake/providers/"
          "Microsoft.Sql/managedInstances/sqlmi-research-gwc/databases/assays")


def test_explains_zone_requirements_verdicts_and_estimate_of_a_sample_resource():
    run = bcdr("explain", REFDATA, "--sample")
    assert run.code == 0 and run.err == "", run.err
    text = run.out
    assert "Zone      dmlz (warm-spare, RPO 4h, RTO 8h" in text
    assert "zones[0] of" in text and "subscription 6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e01" in text
    assert re.search(r"geo_redundancy\s+required\s+warm-spare default", text)
    assert re.search(r"FAIL\s+STG-004\s+high", text)
    assert re.search(r"NOT-APPLICABLE\s+GEN-004\s+the same gap is reported by STG-004", text)
    assert "regional outage: misses" in text and "RPO 5h11m behind" in text and "against 4h: misses" in text
    assert "source https://learn.microsoft.com/azure/storage/common/last-sync-time-get" in text
    assert "also: declared partner" in text  # every option considered, not only the chosen one


def test_json_explanation_lists_every_check_and_both_scenarios():
    run = bcdr("explain", ASSAYS, "--sample", "--format", "json")
    assert run.code == 0, run.err
    document = run.json()
    assert document["kind"] == "bcdr-scan/explanation" and document["zone"]["name"] == "dlz-research"
    assert {c["check_id"] for c in document["checks"]} >= {"SQLMI-004", "GEN-004"}
    assert document["estimate"]["regional_outage"]["verdict"] == "misses"
    assert document["estimate"]["deletion_or_corruption"]["chosen"]["rpo"]["seconds"] == 600
    origins = {r["name"]: r["origin"] for r in document["requirements"]}
    assert origins["azure_backup"] == "zone override" and origins["min_pitr_days"] == "backup-restore default"


def test_a_resource_the_model_does_not_estimate_says_why():
    vault = REFDATA.replace("Microsoft.Storage/storageAccounts/stdmlzrefdataweu",
                            "Microsoft.DataProtection/backupVaults/bvault-dmlz-weu")
    run = bcdr("explain", vault, "--sample")
    assert run.code == 0 and "not a type the recovery model covers" in run.out
    secondary = ("/subscriptions/6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e01/resourceGroups/rg-dmlz-shared/providers/"
                 "Microsoft.EventHub/namespaces/evhns-dmlz-telemetry-neu")
    run = bcdr("explain", secondary, "--sample")
    assert run.code == 0 and "not estimated on its own: passive secondary" in run.out


def test_a_malformed_id_is_one_line_and_exit_2():
    run = bcdr("explain", "stdmlzrefdataweu", "--sample")
    assert run.code == 2 and run.out == ""
    assert run.err.count("\n") == 1 and run.err.startswith("bcdr-scan: error: RESOURCE_ID: expected an ARM resource id")


def test_an_id_not_in_the_snapshot_is_one_line_with_the_closest_resource():
    wrong = REFDATA.replace("rg-dmlz-shared", "rg-dmlz-sharde")
    run = bcdr("explain", wrong, "--sample")
    assert run.code == 2 and run.out == "" and run.err.count("\n") == 1
    assert "no resource" in run.err and f"did you mean {REFDATA}?" in run.err


def test_live_options_are_refused_with_a_snapshot():
    run = bcdr("explain", REFDATA, "--sample", "--subscription", SUB_DMLZ)
    assert run.code == 2 and "only to a live scan" in run.err


def test_hostile_names_and_zones_are_shown_as_text(tmp_path):
    estate, policy, _ = hostile_estate(tmp_path)
    run = bcdr("explain", account_id("stsalesexportweu"), "--snapshot", estate, "--policy", policy,
               env={"BCDR_SCAN_TOKEN": TOKEN})
    assert run.code == 0, run.err
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", run.out)
    assert JWT not in run.out and TOKEN not in run.out and "\\x1b[31mred" in run.out
    as_json = bcdr("explain", account_id("stsalesexportweu"), "--snapshot", estate, "--policy", policy, "--format",
                   "json")
    assert JWT not in as_json.out and json.loads(as_json.out)["resource"]["name"].startswith("st-evil")
