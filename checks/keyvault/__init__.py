"""Azure Key Vault checks."""
