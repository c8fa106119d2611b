from __future__ import annotations

from checks._source_control import GitIntegrationCheck
from scanner.check import Remediation, Severity

FACTORY = "Microsoft.DataFactory/factories"


class DataFactoryGitIntegrationCheck(GitIntegrationCheck):
    id = "ADF-001"
    title = "Data Factory pipelines are not kept in a git repository"
    service = "Data Factory"
    resource_type = FACTORY
    severity = Severity.MEDIUM
    rationale = (
        "A factory's pipelines, datasets, linked services and triggers live only in the factory "
        "itself unless it is connected to a git repository (Azure DevOps Repos or GitHub). Without "
        "that copy there is nothing to deploy into another factory when the region, the factory or "
        "its definitions are lost: the pipelines must be rebuilt by hand. Factories of a release "
        "pipeline (test, production) are often deliberately left unconnected and deployed from a "
        "git-integrated development factory; record those in a baseline with that justification."
    )
    guidance = (
        "Azure Data Factory: As Data Integrations and Data Product are likely to have Azure DevOps "
        "(GitHub or any other code version control software) repositories linked to Azure Data Factory, "
        "it is possible to deploy pipelines to another Data Factory with minimal downtime."
    )
    logic = {
        "redeploy": "fail when properties.repoConfiguration is absent or names no repository: redeploying "
                    "the factory from code is this zone's whole recovery plan",
        "backup-restore": "fail when properties.repoConfiguration is absent or names no repository: Data "
                          "Factory has no backup of its definitions, git is the restore source",
        "warm-spare": "fail when properties.repoConfiguration is absent or names no repository: the "
                      "standby factory is kept in step by deploying from git",
        "hot-spare": "fail when properties.repoConfiguration is absent or names no repository: both "
                     "active factories are deployed from the same git source",
    }
    remediation = Remediation(
        summary="Connect the factory (or the development factory it is released from) to an Azure DevOps "
                "or GitHub repository, publish the existing definitions into it, and deploy other "
                "factories from that repository.",
        portal="Data Factory Studio > Manage > Source control > Git configuration > Configure "
               "(repository type, account, repository, collaboration branch, root folder).",
        cli="az datafactory configure-factory-repo --factory-resource-id <factory-id> --location <region> "
            "--factory-git-hub-configuration host-name=https://github.com account-name=<org> "
            "repository-name=<repo> collaboration-branch=main root-folder=/",
        iac="Bicep: properties: { repoConfiguration: { type: 'FactoryGitHubConfiguration' (or "
            "'FactoryVSTSConfiguration'), accountName, repositoryName, collaborationBranch, rootFolder } }; "
            "Terraform: azurerm_data_factory github_configuration { ... } or vsts_configuration { ... }",
    )
    references = (
        "https://learn.microsoft.com/azure/data-factory/source-control",
        "https://learn.microsoft.com/azure/data-factory/continuous-integration-delivery",
        "https://learn.microsoft.com/azure/data-factory/concepts-data-redundancy",
    )
    config_property = "repoConfiguration"
    noun = "factory"
    kept = "definitions"
    lost = "its pipelines"
    requirement_text = "pipelines redeployable from source control"
