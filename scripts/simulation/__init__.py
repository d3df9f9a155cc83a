"""The simulation library: a pooling region's year of messages, with the outcome each should
get (docs/scenario.md)."""
