"""Kafka entry points: the wire contract, the ingest worker and its helpers."""
