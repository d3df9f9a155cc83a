"""The console: an HTTP API (with its OpenAPI document) and web pages over the ledger's reads,
plus sanction submission through Kafka, for auditors and inspectors (docs/console.md)."""
