"""Read models and their as-of queries (balances, hospital totals, penalty status) live here."""
