"""Users' adapters: SQL tables and repositories, the argon2 password hasher."""
