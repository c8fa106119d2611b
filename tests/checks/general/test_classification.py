from checks.general.classification import UnclassifiedDataResourceCheck
from scanner.check import Severity, Status
from scanner.model import ReadGap
from tests.checks.general.estate import OTHER_SUB, PRIMARY_SUB, policy, verdict, zone_spec
from tests.helpers import example_body, inventory

CHECK = UnclassifiedDataResourceCheck()
POC_SUB = "6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e04"
SANDBOX = {"name": "sandbox", "strategy": "redeploy", "rpo": "7d", "rto": "7d",
           "match": {"subscriptions": [OTHER_SUB], "tags": {"environment": "sandbox"}}}


def workspace(sub: str, rg: str = "rg-analytics") -> dict:
    body = example_body("machinelearningservices/listBySubscription.json")["value"][0]
    body["id"] = f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/" \
                 "workspaces/mlw-churn"
    return body


def resource_group(sub: str, name: str, **tags: str) -> dict:
    return {"id": f"/subscriptions/{sub}/resourceGroups/{name}", "name": name, "location": "westeurope",
            "type": "Microsoft.Resources/resourceGroups", "tags": tags,
            "properties": {"provisioningState": "Succeeded"}}


def test_resource_in_a_landing_zone_passes():
    doc = workspace(PRIMARY_SUB)
    result = verdict(CHECK, doc, policy(zone_spec("sales", "hot-spare"), require_classification=True),
                     inventory(doc))
    assert result.status == Status.PASS
    assert result.evidence["observed"] == "sales"


def test_resource_matched_by_no_zone_fails_low():
    doc = workspace(POC_SUB)
    result = verdict(CHECK, doc, policy(zone_spec("sales", "hot-spare"), SANDBOX, require_classification=True),
                     inventory(doc))
    assert result.status == Status.FAIL
    assert result.severity == Severity.LOW
    assert result.evidence["observed"] == "default zone unclassified"


def test_not_applicable_unless_the_policy_requires_classification():
    doc = workspace(POC_SUB)
    assert verdict(CHECK, doc, policy(zone_spec("sales", "hot-spare")), inventory(doc)).status \
        == Status.NOT_APPLICABLE


def test_unread_resource_group_tags_a_zone_selects_on_are_unknown():
    # The sandbox zone would claim it if its resource group carried environment=sandbox.
    doc = workspace(OTHER_SUB, "rg-research-sandbox")
    zones = policy(SANDBOX, require_classification=True)
    assert verdict(CHECK, doc, zones, inventory(doc)).status == Status.UNKNOWN
    gap = ReadGap(f"/subscriptions/{OTHER_SUB}", "Microsoft.Resources/resourceGroups", "throttled", 429)
    listed = inventory(doc, gaps=[gap], resource_groups=[resource_group(OTHER_SUB, "rg-research-sandbox")])
    assert verdict(CHECK, doc, zones, listed).gap == gap
    # Read, and without the tag: the zone truly does not claim it.
    read = inventory(doc, resource_groups=[resource_group(OTHER_SUB, "rg-research-sandbox", owner="research")])
    assert verdict(CHECK, doc, zones, read).status == Status.FAIL
    tagged = inventory(doc, resource_groups=[resource_group(OTHER_SUB, "rg-research-sandbox", environment="sandbox")])
    assert verdict(CHECK, doc, zones, tagged).status == Status.PASS
