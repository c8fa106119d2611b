"""Live collection from Azure Resource Manager (`bcdr-scan scan` without --snapshot, `bcdr-scan collect`).

`scanner.collect.options` holds the command-line side (imported by the CLI, light);
`scanner.collect.collector` the collection itself (imports the Azure SDKs, loaded on use).
"""
