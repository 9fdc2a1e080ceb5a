"""Users: identities, passwords, sessions (JWT access and refresh tokens), roles, KYC flag."""
