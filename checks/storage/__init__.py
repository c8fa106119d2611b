"""Storage account and Data Lake Storage Gen2 checks."""
