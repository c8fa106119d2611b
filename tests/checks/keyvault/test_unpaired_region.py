import json

from checks.keyvault.unpaired_region import KeyVaultUnpairedRegionCheck
from scanner.check import Status
from tests.checks.keyvault.builders import vault
from tests.helpers import REPO, arm_id, inventory, judge, zone

CHECK = KeyVaultUnpairedRegionCheck()
WARM = zone("warm-spare", rpo="4h", rto="8h", secondary_region="germanywestcentral")
# The sample estate's live locations list: polandcentral has availability zones but no pair.
LOCATIONS = json.loads((REPO / "fixtures/sample-estate/00-estate.json").read_text("utf-8"))["locations"]


def test_vault_in_a_paired_region_passes_and_names_the_metadata_source():
    body = vault(location="westeurope")
    result = judge(CHECK, body, WARM, inventory(body, locations=LOCATIONS))
    assert result.status == Status.PASS
    assert result.evidence["observed"]["paired_region"] == "northeurope"
    assert result.evidence["region_metadata"].startswith("live")


def test_vault_in_an_unpaired_region_fails_with_evidence():
    body = vault("kv-dmlz-plc", location="polandcentral")
    result = judge(CHECK, body, WARM, inventory(body, locations=LOCATIONS))
    assert result.status == Status.FAIL
    assert result.evidence["observed"] == {"region": "polandcentral", "paired_region": None, "secondary_vault": None}
    assert result.evidence["region_metadata"].startswith("live")
    assert result.requirement == "geo_redundancy=required (warm-spare default)"
    bundled = judge(CHECK, body, WARM, inventory(body))
    assert bundled.status == Status.FAIL
    assert bundled.evidence["region_metadata"].startswith("bundled")


def test_declared_secondary_vault_passes_by_tag_or_by_zone_partners():
    secondary = vault("kv-dmlz-gwc", location="germanywestcentral")
    tagged = vault("kv-dmlz-plc", location="polandcentral", tags={"bcdr-partner": secondary["id"]})
    result = judge(CHECK, tagged, WARM, inventory(tagged, secondary))
    assert result.status == Status.PASS
    assert result.evidence["secondary_vault_region"] == "germanywestcentral"
    partners = {"kv-dmlz-plc": arm_id("Microsoft.KeyVault/vaults", "kv-elsewhere")}
    by_policy = zone("warm-spare", partners=partners)
    declared = judge(CHECK, vault("kv-dmlz-plc", location="polandcentral"), by_policy)
    assert declared.status == Status.PASS
    assert "not in the scanned inventory" in declared.evidence["secondary_vault_region"]


def test_a_secondary_in_the_same_unpaired_region_does_not_count():
    secondary = vault("kv-dmlz-plc-2", location="polandcentral")
    tagged = vault("kv-dmlz-plc", location="polandcentral", tags={"BCDR-Partner": secondary["id"]})
    assert judge(CHECK, tagged, WARM, inventory(tagged, secondary)).status == Status.FAIL


def test_not_applicable_where_geo_redundancy_is_optional():
    body = vault(location="polandcentral")
    assert judge(CHECK, body, zone("redeploy")).status == Status.NOT_APPLICABLE
    assert judge(CHECK, body, zone("redeploy", requirements={"geo_redundancy": "required"})).status == Status.FAIL


def test_region_missing_from_metadata_or_vault_without_location_is_unknown():
    result = judge(CHECK, vault(location="marsnorth"), WARM)
    assert result.status == Status.UNKNOWN
    assert "marsnorth" in result.evidence["missing"]
    nowhere = vault()
    del nowhere["location"]
    assert judge(CHECK, nowhere, WARM).status == Status.UNKNOWN
