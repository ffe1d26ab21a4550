"""A simulated Gen 3 Wall Connector: model, payloads, faults and HTTP server."""
