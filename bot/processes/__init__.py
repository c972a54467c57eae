"""Running the line's servers: their command lines, one supervisor for all of them
and the HAProxy configs that balance the replicas. Tooling, not the line's domain."""
