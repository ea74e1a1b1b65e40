"""The head-office half of sync: a FastAPI app over the same domain models, SQLite or PostgreSQL."""
