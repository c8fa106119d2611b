"""Azure SQL Managed Instance checks (SQLMI-*)."""
