"""Ingestion: load, normalise, chunk, embed and index procedures and the plan."""
