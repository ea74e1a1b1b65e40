"""Domain operations: each one transaction that validates, writes its events and outbox rows, or nothing."""
