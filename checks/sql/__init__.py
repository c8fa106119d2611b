"""Azure SQL Database checks (SQL-001..SQL-007): user databases judged against their landing zone."""
