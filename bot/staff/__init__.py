"""Staff accounts, their sign-in locks and the audit log of what they did."""
