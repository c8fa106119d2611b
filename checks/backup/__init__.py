"""Azure Backup: Backup vaults and Recovery Services vaults, and what they protect."""
