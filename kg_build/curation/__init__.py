"""The curated source tables: reading them and checking them into records."""
