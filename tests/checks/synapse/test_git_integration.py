import pytest

from checks.synapse.git_integration import SynapseGitIntegrationCheck
from scanner.check import Status
from scanner.model import ReadGap
from tests.helpers import example_body, inventory, judge, zone

CHECK = SynapseGitIntegrationCheck()
STRATEGIES = ("redeploy", "backup-restore", "warm-spare", "hot-spare")


def workspace(repo: dict | None = None) -> dict:
    body = example_body("synapse/ListWorkspacesInSubscription.json")["value"][0]
    if repo is not None:
        body["properties"]["workspaceRepositoryConfiguration"] = repo
    return body


AZURE_DEVOPS = {"type": "WorkspaceVSTSConfiguration", "hostName": "", "accountName": "contoso",
                "projectName": "sales-analytics", "repositoryName": "synapse-sales", "collaborationBranch": "main",
                "rootFolder": "/synapse", "lastCommitId": "", "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47"}


def test_workspace_linked_to_azure_devops_passes():
    result = judge(CHECK, workspace(AZURE_DEVOPS), zone("warm-spare"))
    assert result.status == Status.PASS
    assert result.evidence["observed"] == "contoso/sales-analytics/synapse-sales@main"


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_workspace_of_the_microsoft_example_fails_in_every_strategy(strategy):
    result = judge(CHECK, workspace(), zone(strategy))
    assert result.status == Status.FAIL
    assert result.evidence["observed"] == "no workspaceRepositoryConfiguration"


def test_disconnected_workspace_with_empty_configuration_fails():
    emptied = {"type": "WorkspaceGitHubConfiguration", "accountName": None, "repositoryName": None,
               "collaborationBranch": None, "rootFolder": None}
    result = judge(CHECK, workspace(emptied))
    assert result.status == Status.FAIL
    assert result.evidence["observed"] == "workspaceRepositoryConfiguration without a repository"
    assert judge(CHECK, workspace({})).status == Status.FAIL


def test_never_not_applicable_by_design():
    for strategy in STRATEGIES:
        assert judge(CHECK, workspace(AZURE_DEVOPS), zone(strategy)).status != Status.NOT_APPLICABLE


def test_unread_configuration_is_unknown():
    body = workspace(AZURE_DEVOPS)
    gap = ReadGap(body["id"], "workspaceRepositoryConfiguration", "ResourceNotFound", 404)
    result = judge(CHECK, body, zone(), inventory(body, gaps=[gap]))
    assert result.status == Status.UNKNOWN
    assert result.evidence["read_error"] == "ResourceNotFound"
    body["properties"] = None
    assert judge(CHECK, body).status == Status.UNKNOWN
