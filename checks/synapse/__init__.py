"""Azure Synapse Analytics checks (workspaces and dedicated SQL pools)."""
