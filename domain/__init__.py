"""The pure model of the claims ledger: value objects, aggregates, decisions and reason codes.

Nothing here performs I/O, reads the environment or a clock: time and identities arrive as
arguments, so every decision can be replayed and tested in memory.
"""
