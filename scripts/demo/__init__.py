"""The county-year demo: publish a simulated year, ingest it, project it, tell its story."""
