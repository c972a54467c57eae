"""What the bot knows: schools, programs, events and Parent College sessions, edited
by staff, loaded from seed/ and exchanged as CSV."""
