from checks.storage.zone_redundancy import StorageZoneRedundancyCheck
from scanner.check import Status
from tests.checks.storage.builders import account
from tests.helpers import inventory, judge, zone

CHECK = StorageZoneRedundancyCheck()
HOT = zone("hot-spare", rpo="15m", rto="1h", primary_region="germanywestcentral", secondary_region="germanynorth")


def location(name: str, paired: str | None, zones: bool) -> dict:
    """A subscription location as ARM lists it: zone mappings only where the region has zones."""
    doc = {"id": f"/subscriptions/00000000-0000-0000-0000-0000000000a1/locations/{name}", "name": name,
           "type": "Region", "metadata": {"regionType": "Physical",
                                          "pairedRegion": [{"name": paired}] if paired else []}}
    if zones:
        doc["availabilityZoneMappings"] = [{"logicalZone": str(i), "physicalZone": f"{name}-az{i}"} for i in (1, 2, 3)]
    return doc


LOCATIONS = [location("germanywestcentral", "germanynorth", True),
             location("germanynorth", "germanywestcentral", False)]


def test_zone_redundant_skus_pass():
    for sku in ("Standard_RAGZRS", "Standard_GZRS", "Standard_ZRS", "Premium_ZRS"):
        assert judge(CHECK, account(sku=sku), HOT).status == Status.PASS, sku


def test_single_datacenter_sku_fails_in_hot_spare_with_evidence():
    doc = account(sku="Standard_RAGRS", location="germanywestcentral")
    result = judge(CHECK, doc, HOT, inventory(doc, locations=LOCATIONS))
    assert result.status == Status.FAIL
    assert result.evidence["observed"] == "Standard_RAGRS"
    assert result.evidence["region_has_availability_zones"] is True
    assert result.evidence["region_metadata"] == "live"
    assert result.requirement == "zone_redundancy=required (hot-spare default)"
    assert "no availability zones" not in result.message


def test_not_applicable_in_a_region_without_availability_zones():
    doc = account(sku="Standard_GRS", location="germanynorth")
    result = judge(CHECK, doc, HOT, inventory(doc, locations=LOCATIONS))
    assert result.status == Status.NOT_APPLICABLE
    assert "region germanynorth has no availability zones (live region metadata)" in result.message


def test_bundled_region_table_is_used_without_live_locations():
    doc = account(sku="Standard_LRS", location="germanynorth")
    result = judge(CHECK, doc, HOT)
    assert result.status == Status.NOT_APPLICABLE
    assert "(bundled region metadata)" in result.message
    failing = account(sku="Standard_LRS", location="germanywestcentral")
    assert judge(CHECK, failing, HOT).evidence["region_metadata"] == "bundled"


def test_unknown_region_is_unknown_not_a_guess():
    doc = account(sku="Standard_RAGRS", location="contosocentral")
    result = judge(CHECK, doc, HOT)
    assert result.status == Status.UNKNOWN
    assert "contosocentral" in result.evidence["missing"]
    assert judge(CHECK, account(sku="Standard_GZRS", location="contosocentral"), HOT).status == Status.PASS


def test_not_applicable_where_zone_redundancy_is_optional_unless_overridden():
    doc = account(sku="Standard_RAGRS")
    assert judge(CHECK, doc, zone("warm-spare", rpo="4h", rto="8h")).status == Status.NOT_APPLICABLE
    overridden = zone("backup-restore", requirements={"zone_redundancy": "required"})
    result = judge(CHECK, doc, overridden)
    assert result.status == Status.FAIL
    assert "zone override" in result.requirement


def test_missing_or_unrecognised_sku_is_unknown():
    assert judge(CHECK, account(sku=None), HOT).status == Status.UNKNOWN
    assert judge(CHECK, account(sku="Standard_Weird"), HOT).status == Status.UNKNOWN
