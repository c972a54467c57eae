"""Parent College, the Saturday classes for parents: sign-ups, the day-before
reminder and the sheet at the door."""
