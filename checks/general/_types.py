"""The resource types the estate-wide (GEN) checks look at."""

STORAGE_ACCOUNT = "Microsoft.Storage/storageAccounts"
COSMOS_ACCOUNT = "Microsoft.DocumentDB/databaseAccounts"
SQL_SERVER = "Microsoft.Sql/servers"
KEY_VAULT = "Microsoft.KeyVault/vaults"
DATA_FACTORY = "Microsoft.DataFactory/factories"
SYNAPSE_WORKSPACE = "Microsoft.Synapse/workspaces"
DATABRICKS_WORKSPACE = "Microsoft.Databricks/workspaces"
ML_WORKSPACE = "Microsoft.MachineLearningServices/workspaces"
PURVIEW_ACCOUNT = "Microsoft.Purview/accounts"
DATA_EXPLORER_CLUSTER = "Microsoft.Kusto/clusters"
LOCKS = "Microsoft.Authorization/locks"

# Where data is stored: what an accidental delete destroys.
DATA_STORES = (STORAGE_ACCOUNT, COSMOS_ACCOUNT, SQL_SERVER, KEY_VAULT)
# Compute and authoring workspaces with no native cross-region replication.
ANALYTICS_WORKSPACES = (DATA_FACTORY, SYNAPSE_WORKSPACE, DATABRICKS_WORKSPACE, ML_WORKSPACE)
DATA_RESOURCES = DATA_STORES + ANALYTICS_WORKSPACES
# Services with no regional failover of their own, judged by GEN-002 for a standby in the secondary
# region: the analytics workspaces, the data catalog, the analytics clusters.
STANDBY_SERVICES = (*ANALYTICS_WORKSPACES, PURVIEW_ACCOUNT, DATA_EXPLORER_CLUSTER)

DISPLAY_NAMES = {
    STORAGE_ACCOUNT.lower(): "storage account",
    COSMOS_ACCOUNT.lower(): "Cosmos DB account",
    SQL_SERVER.lower(): "SQL server",
    KEY_VAULT.lower(): "key vault",
    DATA_FACTORY.lower(): "Data Factory",
    SYNAPSE_WORKSPACE.lower(): "Synapse workspace",
    DATABRICKS_WORKSPACE.lower(): "Databricks workspace",
    ML_WORKSPACE.lower(): "Machine Learning workspace",
    PURVIEW_ACCOUNT.lower(): "Microsoft Purview account",
    DATA_EXPLORER_CLUSTER.lower(): "Data Explorer cluster",
}


def display_name(resource_type: str) -> str:
    return DISPLAY_NAMES.get(resource_type.lower(), resource_type)

ALL_SECTIONS = (
    "Azure Machine Learning: For an overview of High Availability with Azure Machine Learning, see Failover "
    "for business continuity and disaster recovery.\n\n"
    "Azure Synapse Analytics: For an overview of business continuity with Azure Synapse Analytics see High "
    "availability for Azure Synapse Analytics.\n\n"
    "Azure Databricks: For an overview of a disaster recovery architecture useful for Azure Databricks "
    "clusters, and the steps to accomplish that design see Regional disaster recovery for Azure Databricks "
    "clusters.\n\n"
    "Azure Data Factory: As Data Integrations and Data Product are likely to have Azure DevOps (GitHub or any "
    "other code version control software) repositories linked to Azure Data Factory, it is possible to deploy "
    "pipelines to another Data Factory with minimal downtime."
)
