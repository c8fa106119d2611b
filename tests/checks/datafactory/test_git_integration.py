import pytest

from checks.datafactory.git_integration import DataFactoryGitIntegrationCheck
from scanner.check import Status
from scanner.model import ReadGap
from tests.helpers import example_body, inventory, judge, zone

CHECK = DataFactoryGitIntegrationCheck()
STRATEGIES = ("redeploy", "backup-restore", "warm-spare", "hot-spare")


def factory(name: str) -> dict:
    """One factory of Microsoft's Factories_List example (the list repeats its items)."""
    return next(f for f in example_body("datafactory/Factories_List.json")["value"] if f["name"] == name)


def github_factory() -> dict:
    body = factory("df-dogfood-yanzhang-we")
    body["properties"]["repoConfiguration"] = {
        "type": "FactoryGitHubConfiguration", "hostName": "https://github.com", "accountName": "contoso-data",
        "repositoryName": "adf-sales-ingest", "collaborationBranch": "main", "rootFolder": "/adf",
        "lastCommitId": "5c4f1e2a9d3b", "disablePublish": False,
    }
    return body


def test_factory_linked_to_azure_devops_passes():
    result = judge(CHECK, factory("exampleFactoryName"), zone("backup-restore"))
    assert result.status == Status.PASS
    assert result.evidence["observed"] == "ADF/project/repo@master"
    assert "Azure DevOps" in result.message


def test_factory_linked_to_github_passes():
    result = judge(CHECK, github_factory(), zone("hot-spare", rpo="15m", rto="1h"))
    assert result.status == Status.PASS
    assert result.evidence["repository_type"] == "FactoryGitHubConfiguration"


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_factory_without_repo_configuration_fails_in_every_strategy(strategy):
    # Redeploying from code is the redeploy zone's whole plan, so it is held to this as well.
    result = judge(CHECK, factory("df-dogfood-yanzhang-we"), zone(strategy))
    assert result.status == Status.FAIL
    assert result.evidence["observed"] == "no repoConfiguration"
    assert strategy in result.requirement


def test_never_not_applicable_by_design():
    # ADF-001 has no not-applicable case: every factory's pipelines must be redeployable.
    for strategy in STRATEGIES:
        assert judge(CHECK, github_factory(), zone(strategy)).status != Status.NOT_APPLICABLE


def test_null_or_repositoryless_configuration_fails():
    body = factory("FactoryToUpgrade")
    body["properties"]["repoConfiguration"] = None
    assert judge(CHECK, body).status == Status.FAIL
    body["properties"]["repoConfiguration"] = {"type": "FactoryVSTSConfiguration", "accountName": "ADF",
                                               "repositoryName": "", "collaborationBranch": "", "rootFolder": "/"}
    result = judge(CHECK, body)
    assert result.status == Status.FAIL
    assert result.evidence["observed"] == "repoConfiguration without a repository"


def test_unread_factory_configuration_is_unknown():
    body = factory("exampleFactoryName")
    gap = ReadGap(body["id"].rsplit("/providers/", 1)[0], "*", "AuthorizationFailed", 403)
    result = judge(CHECK, body, zone(), inventory(body, gaps=[gap]))
    assert result.status == Status.UNKNOWN
    assert result.gap == gap


def test_factory_listed_without_properties_is_unknown_not_fail():
    body = factory("df-dogfood-yanzhang-we")
    del body["properties"]
    assert judge(CHECK, body).status == Status.UNKNOWN
