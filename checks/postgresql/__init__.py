"""Azure Database for PostgreSQL flexible server checks (PG-*)."""
