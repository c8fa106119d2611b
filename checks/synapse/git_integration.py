from __future__ import annotations

from collections.abc import Mapping

from checks._source_control import host, repository
from checks.synapse._types import SYNAPSE_SECTION, WORKSPACE
from scanner.check import Check, EvaluationContext, Remediation, Result, Severity
from scanner.model import Resource


class SynapseGitIntegrationCheck(Check):
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

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        gap = ctx.inventory.gap(resource, "workspaceRepositoryConfiguration")
        if gap:
            return self.unknown("properties.workspaceRepositoryConfiguration", gap)
        if not isinstance(resource.raw.get("properties"), Mapping):
            return self.unknown("properties.workspaceRepositoryConfiguration (the workspace was listed "
                                "without properties)")
        config = resource.prop("workspaceRepositoryConfiguration")
        repo = repository(config)
        if repo:
            return self.passed(f"artifacts are kept in {host(config) or 'git'} repository {repo}",
                               observed=repo, repository_type=config.get("type"))
        # After a git disconnect ARM keeps an object with empty fields: that is no repository either.
        observed = ("no workspaceRepositoryConfiguration" if config is None
                    else "workspaceRepositoryConfiguration without a repository")
        return self.failed(
            f"workspace {resource.name} is not connected to a git repository: its pipelines, notebooks and "
            f"scripts cannot be redeployed to another workspace (zone {ctx.zone.name}, {ctx.zone.strategy})",
            observed=observed,
            required="workspaceRepositoryConfiguration naming an Azure DevOps or GitHub repository",
            requirement=f"strategy={ctx.zone.strategy}: workspace artifacts must be redeployable from source control",
        )
