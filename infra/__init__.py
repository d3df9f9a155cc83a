"""Adapters and wiring: settings, the event store on PostgreSQL, Kafka clients, embedded services."""
