"""A family's records handed over or forgotten, and the retention purge."""
