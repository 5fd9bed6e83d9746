"""What changed between versions, where people see it: the admin route, the public updates, the chat answer, the UI, the CLI."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta

import pytest
import yaml

from cli.main import main as tthc
from index_store.changes import today
from index_store.store import VersionStore
from ingest import IngestReport, rollback, run_ingest
from service.core import job_report_text
from tests.conftest import CORPUS
from tests.ui.handlers import fake_request, gradio_handler
from tthc.schema import IngestJob
from tthc.text import display_date

FEE_LINE = "1.004194 Đăng ký tạm trú — Lệ phí trực tiếp: 10.000 đồng → 30.000 đồng"


@pytest.fixture
def fee_change(api_settings, embedder, tmp_path) -> IngestReport:
    """A new version in which the direct fee of 1.004194 (Đăng ký tạm trú) goes from 10.000 to 30.000 đồng."""
    data = yaml.safe_load((CORPUS / "procedures" / "1.004194.yaml").read_text(encoding="utf-8"))
    direct = next(c for c in data["channels"] if c["channel"] == "Trực tiếp")
    assert direct["fee"] == "10.000 đồng"
    direct["fee"] = "30.000 đồng"
    record = tmp_path / "1.004194.yaml"
    record.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    report = run_ingest(api_settings, [record], merge=True, embeddings_factory=lambda s: embedder)
    assert report.status == "published" and report.change_lines == [FEE_LINE]
    return report


def test_admin_reads_the_change_report_of_a_version(client, admin, fee_change):
    path = f"/api/admin/versions/{fee_change.version}/changes"
    assert client.get(path).status_code == 401
    body = client.get(path, headers=admin).json()
    assert body["version"] == fee_change.version and body["previous"] == fee_change.previous and not body["first"]
    (proc,) = body["procedures"]
    assert (proc["code"], proc["name"], proc["status"]) == ("1.004194", "Đăng ký tạm trú", "changed")
    assert proc["changes"] == [
        {"aspect": "fee", "kind": "modified", "label": "Lệ phí trực tiếp", "old": "10.000 đồng", "new": "30.000 đồng"}
    ]

    assert client.get(f"/api/admin/versions/{fee_change.previous}/changes", headers=admin).json()["first"] is True
    missing = client.get("/api/admin/versions/v99999-x/changes", headers=admin)
    assert missing.status_code == 404 and "Không có phiên bản" in missing.json()["detail"]
    assert client.get("/api/admin/versions/..%2F..%2Fetc/changes", headers=admin).status_code == 404


def test_the_report_is_still_read_by_version_after_a_rollback(client, admin, api_settings, fee_change):
    assert rollback(api_settings) == fee_change.previous
    body = client.get(f"/api/admin/versions/{fee_change.version}/changes", headers=admin).json()
    assert body["procedures"][0]["code"] == "1.004194"
    # the public list follows the serving version: the rolled-back change is no longer announced
    assert client.get("/api/updates").json()["items"] == []


def test_public_updates_list_recent_changes(client, fee_change):
    body = client.get("/api/updates", params={"days": 30}).json()
    assert body["days"] == 30 and body["since"] == (today() - timedelta(days=30)).isoformat()
    assert body["items"] == [
        {
            "code": "1.004194",
            "name": "Đăng ký tạm trú",
            "date": today().isoformat(),
            "status": "changed",
            "changes": ["Lệ phí trực tiếp: 10.000 đồng → 30.000 đồng"],
        }
    ]
    assert client.get("/api/updates", params={"days": 0}).status_code == 422


def test_chat_answer_about_a_changed_procedure_has_the_update_line(client, fee_change):
    body = client.post("/api/chat", json={"question": "lệ phí đăng ký tạm trú"}).json()
    assert body["focus_code"] == "1.004194"
    line = f"Cập nhật ngày {display_date(today().isoformat())}: lệ phí trực tiếp đổi từ 10.000 đồng thành 30.000 đồng."
    lines = body["answer"].split("\n")
    assert lines.count(line) == 1
    if lines[-1].startswith("Nguồn:"):
        assert lines[-2] == line  # above the source line, which the UI replaces with links

    other = client.post("/api/chat", json={"question": "đăng ký khai sinh cần giấy tờ gì"}).json()
    assert "Cập nhật ngày" not in other["answer"]


def test_the_update_line_ends_with_the_window(client, fee_change):
    client.app.state.service.updates_feed.clock = lambda: today() + timedelta(days=31)  # updates_window_days = 30
    body = client.post("/api/chat", json={"question": "lệ phí đăng ký tạm trú"}).json()
    assert body["focus_code"] == "1.004194" and "Cập nhật ngày" not in body["answer"]


def test_the_ui_shows_recent_updates_and_the_ingest_report(client, fee_change):
    updates = gradio_handler(client.app, "updates")(fake_request())
    assert "**1.004194** Đăng ký tạm trú" in updates and "Lệ phí trực tiếp: 10.000 đồng → 30.000 đồng" in updates

    job = IngestJob(id="j1", status="done", filename="1.004194.yaml", created_at="", updated_at="", report=fee_change.to_dict())
    assert f"Chi tiết thay đổi:\n  - {FEE_LINE}" in job_report_text(job)


def test_cli_changes(api_settings, fee_change, capsys):
    data_dir = str(api_settings.data_dir)
    assert tthc(["changes", "--data-dir", data_dir]) == 0
    out = capsys.readouterr().out
    assert f"Báo cáo thay đổi của phiên bản {fee_change.version}" in out and f"  - {FEE_LINE}\n" in out

    assert tthc(["changes", "--data-dir", data_dir, "--version", str(fee_change.version), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["procedures"][0]["changes"][0]["new"] == "30.000 đồng"

    assert tthc(["changes", "--data-dir", data_dir, "--version", str(fee_change.previous)]) == 0
    assert "Phiên bản đầu tiên" in capsys.readouterr().out
    assert tthc(["changes", "--data-dir", data_dir, "--version", "v99999-x"]) == 1
    assert "không có phiên bản v99999-x" in capsys.readouterr().out


def test_cli_changes_after_a_rollback_and_without_an_index(api_settings, fee_change, capsys, tmp_path):
    rollback(api_settings)
    assert VersionStore(api_settings.index_dir).current() == fee_change.previous
    assert tthc(["changes", "--data-dir", str(api_settings.data_dir), "--version", str(fee_change.version)]) == 0
    assert FEE_LINE in capsys.readouterr().out
    empty = tmp_path / "empty"
    empty.mkdir()
    assert tthc(["changes", "--data-dir", str(empty)]) == 1
    shutil.rmtree(empty)
