import pytest

from checks.general.delete_lock import DataStoreDeleteLockCheck
from scanner.check import Status
from scanner.model import ReadGap
from tests.helpers import SUB, arm, example_body, inventory, judge, zone

CHECK = DataStoreDeleteLockCheck()


def account() -> dict:
    return example_body("storage/StorageAccountGetProperties.json")


def cosmos() -> dict:
    return example_body("cosmos-db/CosmosDBDatabaseAccountGet.json")


def lock(scope: str, level: str, name: str = "do-not-delete") -> dict:
    """A management lock as Management Locks - List returns it."""
    return {"id": f"{scope}/providers/Microsoft.Authorization/locks/{name}", "name": name,
            "type": "Microsoft.Authorization/locks",
            "properties": {"level": level, "notes": "Protects production data from accidental deletion",
                           "owners": [{"applicationId": "00000000-0000-0000-0000-000000000000"}]}}


def scopes(doc: dict) -> dict[str, str]:
    rg_scope = doc["id"].split("/providers/")[0]
    return {"resource": doc["id"], "resource group": rg_scope, "subscription": "/".join(rg_scope.split("/")[:3])}


@pytest.mark.parametrize("scope", ["resource", "resource group", "subscription"])
@pytest.mark.parametrize("level", ["CanNotDelete", "ReadOnly"])
def test_lock_at_any_covering_scope_passes(scope, level):
    doc = account()
    result = judge(CHECK, doc, zone("backup-restore"), inventory(doc, locks=[lock(scopes(doc)[scope], level)]))
    assert result.status == Status.PASS
    assert f"{level} lock do-not-delete at {scope} scope" in result.evidence["observed"]


def test_unlocked_cosmos_account_fails():
    doc = cosmos()
    result = judge(CHECK, doc, zone("hot-spare", rpo="15m", rto="1h"), inventory(doc))
    assert result.status == Status.FAIL
    assert result.evidence["observed"] == "no lock"
    assert "hot-spare" in result.requirement


def test_lock_elsewhere_or_of_no_level_does_not_protect():
    doc = account()
    other_rg = lock(f"/subscriptions/{SUB}/resourceGroups/rg-other", "CanNotDelete")
    unspecified = lock(scopes(doc)["resource"], "NotSpecified", "legacy")
    result = judge(CHECK, doc, zone("warm-spare"), inventory(doc, locks=[other_rg, unspecified]))
    assert result.status == Status.FAIL
    assert result.evidence["observed"] == ["NotSpecified lock legacy at resource scope"]


def test_flattened_sdk_lock_shape_is_understood():
    doc = arm("Microsoft.KeyVault/vaults", "kv-sales-weu", properties={"enablePurgeProtection": True})
    flat = {"id": f"{doc['id']}/providers/Microsoft.Authorization/locks/nodelete", "name": "nodelete",
            "level": "CanNotDelete"}
    assert judge(CHECK, doc, zone(), inventory(doc, locks=[flat])).status == Status.PASS


def test_redeploy_zone_is_not_applicable():
    doc = account()
    assert judge(CHECK, doc, zone("redeploy"), inventory(doc)).status == Status.NOT_APPLICABLE


def test_unread_locks_are_unknown_unless_a_lock_was_read():
    doc = account()
    sub_scope = scopes(doc)["subscription"]
    gap = ReadGap(sub_scope, "Microsoft.Authorization/locks", "AuthorizationFailed", 403)
    result = judge(CHECK, doc, zone(), inventory(doc, gaps=[gap]))
    assert result.status == Status.UNKNOWN
    assert result.gap == gap
    locked = inventory(doc, gaps=[gap], locks=[lock(scopes(doc)["resource"], "CanNotDelete")])
    assert judge(CHECK, doc, zone(), locked).status == Status.PASS
