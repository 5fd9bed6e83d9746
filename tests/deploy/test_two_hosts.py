"""Two `tthc serve` processes as two hosts: one PostgreSQL question log, one `chroma run`, one index directory.

How the index files are shared here: both processes get the same TTHC_DATA_DIR, one directory on this
machine, so both read the versioned index and its ``CURRENT`` pointer from the same files (each
process reloads when the pointer moves). In production that directory is a shared volume (NFS)
mounted on every host; this test shows the shared directory on one machine, not NFS between two.
What it does show across processes: every question and rating lands once in the shared database
whichever host took it, an ingest job started on one host is polled on the other, and the other
host serves the version that ingest published.
"""

from __future__ import annotations

import httpx

from ingest import run_ingest
from tests.api.conftest import TOKEN
from tests.conftest import FAKE_EMBEDDING_ENV
from tests.processes import poll_job, serve
from tthc.settings import PROJECT_ROOT, Settings

ADMIN = {"Authorization": f"Bearer {TOKEN}"}


def _totals(client: httpx.Client) -> tuple[int, int]:
    """Questions over all days and thumbs up, from the admin statistics of the host ``client`` talks to."""
    stats = client.get("/api/stats", headers=ADMIN).json()
    return sum(day["questions"] for day in stats["questions_per_day"]), stats["feedback_up"]


def test_two_hosts_share_the_question_log_the_jobs_and_the_index(tmp_path, small_corpus, embedder, chroma_port, postgres):
    shared = tmp_path / "shared-data"
    settings = Settings(data_dir=shared, chroma_mode="server", chroma_host="127.0.0.1", chroma_port=chroma_port)
    first = run_ingest(settings, [small_corpus], embeddings_factory=lambda s: embedder)
    assert first.status == "published"
    env = {
        "TTHC_DATABASE_URL": postgres.create_database(),
        "TTHC_CHROMA_MODE": "server",
        "TTHC_CHROMA_HOST": "127.0.0.1",
        "TTHC_CHROMA_PORT": str(chroma_port),
        "TTHC_ADMIN_TOKEN": TOKEN,
        "TTHC_ADMIN_RATE_PER_MINUTE": "1000",
        **FAKE_EMBEDDING_ENV,
    }
    with (
        serve(shared, **env) as base_a,
        serve(shared, **env) as base_b,
        httpx.Client(base_url=base_a, timeout=60) as host_a,
        httpx.Client(base_url=base_b, timeout=60) as host_b,
    ):
        # (a) one question log: a chat on each host counts once, read from either host
        on_a = host_a.post("/api/chat", json={"question": "thời hạn cấp đổi CCCD"}).json()
        assert _totals(host_a) == (1, 0)  # reading on A also waits for A's queued write
        assert host_b.post("/api/chat", json={"question": "đăng ký tạm trú"}).status_code == 200
        assert host_b.post("/api/feedback", json={"answer_id": on_a["answer_id"], "rating": "up"}).status_code == 200
        assert _totals(host_b) == (2, 1)
        assert _totals(host_a) == (2, 1)

        # (b) an ingest uploaded to host A, polled and then served on host B
        assert host_b.post("/api/chat", json={"question": "thủ tục tách hộ"}).json()["focus_code"] != "1.010038"
        upload = (PROJECT_ROOT / "corpus" / "procedures" / "1.010038.yaml").read_bytes()
        job = host_a.post("/api/admin/ingest", headers=ADMIN, files={"file": ("1.010038.yaml", upload)}).json()
        done = poll_job(host_b, job["id"], ADMIN, every=0.3)  # the job row is in the shared database
        assert done["status"] == "done" and done["report"]["version"] != first.version
        assert host_b.get("/readyz").json()["index_version"] == done["report"]["version"]
        assert host_b.post("/api/chat", json={"question": "thủ tục tách hộ"}).json()["focus_code"] == "1.010038"
        assert host_a.post("/api/chat", json={"question": "thủ tục tách hộ"}).json()["focus_code"] == "1.010038"
