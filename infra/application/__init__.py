"""The ledger's command side, next to the store: what `Ledger.decide` and `Ledger.commit` use.

`inbound` is what it decides (records the wire contract has decoded), `batch` decides a poll
batch through a `unit_of_work` (fed by `prefetch`, `cache` and `reads`), and `rows` are what a
batch writes beside its events. Nothing here knows Kafka clients or the wire contract.
"""
