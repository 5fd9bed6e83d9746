"""The index writer: sources -> a new validated index version. Other packages use only what is exported here."""

from ingest.pipeline import IngestReport, rollback, run_ingest

__all__ = ["IngestReport", "rollback", "run_ingest"]
