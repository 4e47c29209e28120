"""The transparency log in the database: RFC 9162 tree, signed checkpoints and receipts."""
