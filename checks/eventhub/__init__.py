"""Azure Event Hubs checks (EVH-*)."""
