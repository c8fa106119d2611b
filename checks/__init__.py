"""Bundled checks, one concern per module under `checks/<service>/`. Discovered by scanner.registry."""
