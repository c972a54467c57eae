"""Broadcasts: who an announcement goes to, what it costs, its delivery rows, and sending them."""
