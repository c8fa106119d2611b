"""Estate-wide checks that apply to several resource types: locks, standby regions, classification."""
