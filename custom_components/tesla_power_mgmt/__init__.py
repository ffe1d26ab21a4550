"""Tesla power management for Gen 3 Wall Connectors."""
