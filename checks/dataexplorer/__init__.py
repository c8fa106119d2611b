"""Azure Data Explorer checks (ADX-*); its standby is judged by GEN-002."""
