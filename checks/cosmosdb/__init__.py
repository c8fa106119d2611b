"""Azure Cosmos DB account checks."""
