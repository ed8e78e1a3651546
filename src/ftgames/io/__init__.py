"""Game files (TOML) in, tables and JSON out."""
