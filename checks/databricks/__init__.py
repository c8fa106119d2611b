"""Azure Databricks checks (DBW-*); the workspace's standby is judged by GEN-002."""
