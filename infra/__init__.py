"""Adapters and wiring: settings, the PostgreSQL event store, Kafka clients, embedded services."""
