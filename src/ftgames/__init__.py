"""ftgames."""
