"""The fault suite of issue 12: each fault as one test, through the real worker process, the
real broker protocol and a real PostgreSQL, bounded in messages and time, on loopback only.

After every fault the same audit runs, `tests.integration.accounting.assert_books_balance`:
every offset of every inbound partition is a stored message, a duplicate or a dead letter,
nothing is stored twice, the chain verifies and the read models check.

- test_large_batches.py: a full poll batch of settlements, and six 1 000-line clawbacks in one
  batch of over 4 MB, over the embedded server's unix socket;
- test_worker_killed.py: SIGKILL of the worker at seeded moments, among poison records;
- test_postgres_stopped.py: PostgreSQL stopped and started again while the worker is in a batch;
- test_accounting.py: the audit itself fails on an offset left unread and on a message stored
  twice.

Poison records of every class among good ones: `test_hostile_ingest.py` and
`test_hostile_worker.py` (one level up) end with the same audit.
A broker restarted with the same or a new cluster id goes in a module of its own here, taking
`settings` and the publishing helpers of `feeds.py`, and calling `assert_books_balance` with
the `cluster_id` of each broker whose log it balances.
"""
