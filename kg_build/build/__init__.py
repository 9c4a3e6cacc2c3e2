"""The build: curated records to sorted quads, the store, the checks and every export."""
