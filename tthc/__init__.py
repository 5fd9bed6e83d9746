"""Core of the TTHC assistant: settings, shared types, text utilities and the CLI."""
