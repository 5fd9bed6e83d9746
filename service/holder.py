"""The assistant currently serving, swapped without a restart when an ingest switches versions."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from index_store.embeddings import Embedder, make_embeddings
from index_store.store import IndexProblem, VersionStore, missing_files
from rag.service import Assistant, load_assistant
from tthc.settings import Settings

log = logging.getLogger(__name__)


class AssistantHolder:
    """Loads the current index version once and reloads it when the pointer moves.

    A request takes the assistant once and keeps it, so in-flight requests finish on
    the version they started with while new ones get the new version.
    """

    def __init__(self, settings: Settings, embeddings_factory: Callable[[Settings], Embedder] = make_embeddings) -> None:
        self.settings = settings
        self._embeddings_factory = embeddings_factory
        self._embeddings: Embedder | None = None
        self._assistant: Assistant | None = None
        self._lock = threading.Lock()
        self._store = VersionStore(settings.index_dir)
        self.last_error: str | None = None

    def get(self) -> Assistant:
        """The assistant for the current version; raises IndexProblem when there is none."""
        current = self._store.current()
        assistant = self._assistant
        if assistant is not None and assistant.version == current:
            return assistant
        with self._lock:
            if self._assistant is None or self._assistant.version != self._store.current():
                if self._embeddings is None:
                    self._embeddings = self._embeddings_factory(self.settings)
                previous = self._assistant
                try:
                    loaded = load_assistant(self.settings, self._embeddings)
                    loaded.warm()  # before it serves: no request pays for reading the records
                    self._assistant = loaded
                except IndexProblem as exc:
                    self.last_error = str(exc)
                    if previous is None:
                        raise
                    log.error("cannot load the current index version, still serving %s: %s", previous.version, exc)
                    return previous
                self.last_error = None
                log.info("serving index version %s (was %s)", self._assistant.version, previous.version if previous else None)
            return self._assistant

    def ready(self) -> tuple[bool, str]:
        """Whether the version the pointer names is loaded and answers; with the reason when not."""
        try:
            assistant = self.get()
        except IndexProblem as exc:
            return False, str(exc)
        if self.last_error:
            return False, self.last_error
        missing = missing_files(self.settings, self._store.current_dir())
        if missing:
            return False, f"index {assistant.version} is damaged: missing {', '.join(missing)}; roll back or re-ingest"
        try:
            assistant.answer("đăng ký khai sinh")
        except Exception as exc:  # the vector store may be down in server mode
            return False, f"index {assistant.version} does not answer: {exc.__class__.__name__}: {exc}"
        return True, assistant.version
