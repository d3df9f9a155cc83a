"""`make bench`: ingest, projection and as-of query figures, each against a baseline measured in
the same run on the same machine, written to docs/benchmarks.md."""
