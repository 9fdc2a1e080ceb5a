"""How the platform is started: the HTTP app, the CLI, background runners."""
