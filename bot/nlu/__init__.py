"""How well the model reads families, and the review loop that retrains it from staff
corrections."""
