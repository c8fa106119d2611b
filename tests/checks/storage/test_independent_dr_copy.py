from checks.storage.independent_dr_copy import StorageIndependentDrCopyCheck
from scanner.check import Status
from scanner.model import ReadGap
from tests.checks.storage.builders import account, object_replication
from tests.helpers import inventory, judge, zone

CHECK = StorageIndependentDrCopyCheck()
WARM = zone("warm-spare", rpo="4h", rto="8h")
HOT = zone("hot-spare", rpo="15m", rto="1h")


def exports(**fields):
    return account("stsalesexportsweu", sku=fields.pop("sku", "Standard_RAGRS"), hns=None, **fields)


def replica(location="northeurope"):
    return account("stsalesexportsneu", sku="Standard_RAGRS", hns=None, rg="rg-sales-dr", location=location)


def test_object_replication_to_another_region_passes():
    source, target = exports(), replica()
    policy = object_replication(source, target["id"])
    result = judge(CHECK, source, HOT, inventory(source, target, policy))
    assert result.status == Status.PASS
    assert "stsalesexportsneu in northeurope" in result.message


def test_policy_listed_only_under_the_destination_and_by_account_name_still_counts():
    source, target = exports(), replica()
    policy = object_replication(source, target["name"], under=target, by_name=True)
    assert judge(CHECK, source, WARM, inventory(source, target, policy)).status == Status.PASS


def test_declared_partner_passes_by_tag_or_zone_config():
    tagged = exports(tags={"bcdr-partner": "stsalesexportsneu"})
    assert judge(CHECK, tagged, HOT, inventory(tagged, replica())).status == Status.PASS
    partner_id = replica()["id"]
    configured = zone("hot-spare", rpo="15m", rto="1h", partners={"stsalesexportsweu": partner_id})
    plain = exports()
    result = judge(CHECK, plain, configured, inventory(plain))  # partner outside the inventory: declared
    assert result.status == Status.PASS
    assert "lz-hot-spare partners" in result.message


def test_geo_replication_alone_fails_and_cites_dual_load():
    doc = exports()
    result = judge(CHECK, doc, WARM, inventory(doc))
    assert result.status == Status.FAIL
    assert result.evidence["observed"] == "Standard_RAGRS only"
    assert "dual load" in result.message
    assert result.requirement == "a DR copy besides geo-replication (warm-spare: a live copy in another region)"


def test_copies_in_the_same_region_do_not_qualify():
    source, same_region = exports(), replica(location="westeurope")
    policy = object_replication(source, same_region["id"])
    result = judge(CHECK, source, HOT, inventory(source, same_region, policy))
    assert result.status == Status.FAIL
    assert result.evidence["not_qualifying"] == ["object replication to stsalesexportsneu stays in westeurope"]
    tagged = exports(tags={"bcdr-partner": same_region["id"]})
    assert judge(CHECK, tagged, HOT, inventory(tagged, same_region)).status == Status.FAIL


def test_the_destination_of_a_cross_region_policy_is_itself_the_dr_copy():
    # Dual load: the destination holds the same data as its source in another region.
    source, target = exports(), replica()
    inbound = object_replication(source, target["id"], under=target)
    outbound = object_replication(source, target["id"])  # ARM lists the same policy under both accounts
    result = judge(CHECK, target, WARM, inventory(source, target, inbound, outbound))
    assert result.status == Status.PASS
    assert result.evidence["dr_copies"] == [
        "object replication (2a6d4b7e-9c1f-4e35-8a0b-5d7c3e1f9a24) from stsalesexportsweu in westeurope"]


def test_the_destination_of_a_same_region_policy_still_fails():
    source, target = exports(), replica(location="westeurope")
    inbound = object_replication(source, target["id"], under=target)
    result = judge(CHECK, target, WARM, inventory(source, target, inbound))
    assert result.status == Status.FAIL
    assert result.evidence["not_qualifying"] == ["object replication from stsalesexportsweu stays in westeurope"]


def test_not_applicable_without_geo_replication_or_outside_warm_and_hot_zones():
    doc = exports()
    assert judge(CHECK, exports(sku="Standard_ZRS"), HOT).status == Status.NOT_APPLICABLE
    assert judge(CHECK, doc, zone("backup-restore")).status == Status.NOT_APPLICABLE
    assert judge(CHECK, doc, zone("redeploy")).status == Status.NOT_APPLICABLE
    relaxed = zone("warm-spare", requirements={"geo_redundancy": "optional"})
    assert judge(CHECK, doc, relaxed).status == Status.NOT_APPLICABLE


def test_destination_outside_the_inventory_is_unknown():
    source = exports()
    foreign = "/subscriptions/0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b/resourceGroups/rg-dr/providers/" \
              "Microsoft.Storage/storageAccounts/stpartnerdr"
    result = judge(CHECK, source, HOT, inventory(source, object_replication(source, foreign)))
    assert result.status == Status.UNKNOWN
    assert "stpartnerdr" in result.evidence["missing"]


def test_unread_policy_list_is_unknown_unless_a_partner_is_declared():
    doc = exports()
    gap = ReadGap(doc["id"], "Microsoft.Storage/storageAccounts/objectReplicationPolicies", "Forbidden", 403)
    result = judge(CHECK, doc, WARM, inventory(doc, gaps=[gap]))
    assert result.status == Status.UNKNOWN
    assert result.gap == gap
    tagged = exports(tags={"bcdr-partner": "stsalesexportsneu"})
    assert judge(CHECK, tagged, WARM, inventory(tagged, gaps=[gap])).status == Status.PASS


def test_missing_sku_is_unknown():
    assert judge(CHECK, exports(sku=None), HOT).status == Status.UNKNOWN


def test_an_unread_policy_list_of_a_data_lake_account_hides_no_copy():
    # Object replication is not available with a hierarchical namespace: nothing can hide there.
    lake = account("stsalesrawweu", sku="Standard_RAGZRS", hns=True)
    gap = ReadGap(lake["id"], "Microsoft.Storage/storageAccounts/objectReplicationPolicies", "BadRequest", 400)
    assert judge(CHECK, lake, WARM, inventory(lake, gaps=[gap])).status == Status.FAIL
