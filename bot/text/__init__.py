"""How the line writes and compares words, numbers, dates, phone numbers and languages."""
