"""Azure Data Factory checks."""
