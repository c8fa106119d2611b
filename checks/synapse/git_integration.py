from __future__ import annotations

from checks._source_control import GitIntegrationCheck
from checks.synapse._types import SYNAPSE_SECTION, WORKSPACE
from scanner.check import Remediation, Severity


class SynapseGitIntegrationCheck(GitIntegrationCheck):
    id = "SYN-001"
    title = "Synapse workspace artifacts are not kept in a git repository"
    service = "Synapse"
    resource_type = WORKSPACE
    severity = Severity.MEDIUM
    rationale = (
        "Pipelines, notebooks, SQL scripts, Spark job definitions and linked services of a Synapse "
        "workspace exist only in the workspace unless it is connected to a git repository. Geo-backups "
        "restore the data of dedicated SQL pools, not these artifacts: without git there is nothing to "
        "deploy into a workspace in another region. Workspaces released from a git-integrated "
        "development workspace by a pipeline are often left unconnected on purpose; record those in a "
        "baseline with that justification."
    )
    guidance = (
        f"{SYNAPSE_SECTION}\n\n"
        "Azure Data Factory (Synapse pipelines are Data Factory pipelines): As Data Integrations and Data "
        "Product are likely to have Azure DevOps (GitHub or any other code version control software) "
        "repositories linked to Azure Data Factory, it is possible to deploy pipelines to another Data "
        "Factory with minimal downtime."
    )
    logic = {
        "redeploy": "fail when properties.workspaceRepositoryConfiguration is absent or names no repository: "
                    "redeploying the workspace from code is this zone's whole recovery plan",
        "backup-restore": "fail when properties.workspaceRepositoryConfiguration is absent or names no "
                          "repository: geo-backups restore pool data, git restores the artifacts",
        "warm-spare": "fail when properties.workspaceRepositoryConfiguration is absent or names no repository: "
                      "the standby workspace is kept in step by deploying from git",
        "hot-spare": "fail when properties.workspaceRepositoryConfiguration is absent or names no repository: "
                     "both active workspaces are deployed from the same git source",
    }
    remediation = Remediation(
        summary="Connect the workspace (or the development workspace it is released from) to an Azure DevOps "
                "or GitHub repository, commit the existing artifacts, and deploy other workspaces from it.",
        portal="Synapse Studio > Manage > Source control > Git configuration > Configure.",
        cli="az synapse workspace update -g <rg> -n <workspace> --repository-type GitHub "
            "--host-name https://github.com --account-name <org> --repository-name <repo> "
            "--collaboration-branch main --root-folder /",
        iac="Bicep: properties: { workspaceRepositoryConfiguration: { type: 'WorkspaceGitHubConfiguration' (or "
            "'WorkspaceVSTSConfiguration'), accountName, repositoryName, collaborationBranch, rootFolder } }; "
            "Terraform: azurerm_synapse_workspace github_repo { ... } or azure_devops_repo { ... }",
    )
    references = (
        "https://learn.microsoft.com/azure/synapse-analytics/cicd/source-control",
        "https://learn.microsoft.com/azure/synapse-analytics/cicd/continuous-integration-delivery",
        "https://learn.microsoft.com/azure/cloud-adoption-framework/migrate/azure-best-practices/analytics/azure-synapse",
    )
    config_property = "workspaceRepositoryConfiguration"
    noun = "workspace"
    kept = "artifacts"
    lost = "its pipelines, notebooks and scripts"
    requirement_text = "workspace artifacts redeployable from source control"
