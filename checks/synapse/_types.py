"""Synapse resource types, shared by the SYN checks."""

WORKSPACE = "Microsoft.Synapse/workspaces"
SQL_POOL = "Microsoft.Synapse/workspaces/sqlPools"
GEO_BACKUP_POLICY = "Microsoft.Synapse/workspaces/sqlPools/geoBackupPolicies"

SYNAPSE_SECTION = (
    "Azure Synapse Analytics: For an overview of business continuity with Azure Synapse Analytics see "
    "High availability for Azure Synapse Analytics."
)
