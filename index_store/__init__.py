"""The index read model: versions on disk, their manifest, the keyword index, vector-store access,
the embedders and the ids shared by the writer (ingest) and the readers (rag, service, eval)."""
