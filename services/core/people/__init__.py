"""People: staff records, their credentials and registry ids, and their compliance standing."""
