"""Azure Database for MySQL flexible server checks (MY-*)."""
