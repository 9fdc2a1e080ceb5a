"""Price feeds: a seeded synthetic market and a CSV replay, both pushing Quote batches."""
