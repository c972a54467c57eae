"""Running the line's servers: their command lines, one supervisor for all of them
and the local balancer. Tooling, not the line's domain."""
