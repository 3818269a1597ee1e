"""Stand-in for the testcontainers package: no container runtime here, so it serves the harness's server."""
