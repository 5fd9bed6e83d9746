"""The field-level change report of an ingest: the previous version's procedures against the new ones.

Every change is stated in plain Vietnamese (``FieldChange.text``): name, level, agency, field, time
limit and fee per channel (old → new), documents, steps and legal basis added or removed; added
procedures and removed (abolished) ones are listed too. The report is written as ``changes.json``
into the new version's directory (see ``index_store.changes``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from datetime import date, timedelta

from index_store.changes import local_date, read_changes
from index_store.ids import PLAN_ID
from ingest.planning import ContentPlan
from ingest.previous import PreviousVersion
from ingest.report import IngestReport
from tthc.schema import Channel, Document, FieldChange, LegalRef, Procedure, ProcedureChange, VersionChanges
from tthc.text import normalize_inline

log = logging.getLogger(__name__)

HISTORY_DAYS = 366  # how long a report keeps the reports of the versions it was built on
MAX_TEXT = 160  # long portal texts are shortened in report lines
MAX_STEP_LINES = 3  # more added or removed steps than this are counted, not quoted

CHANNEL_WORDS = {"Trực tiếp": "trực tiếp", "Trực tuyến": "trực tuyến", "Dịch vụ bưu chính": "qua dịch vụ bưu chính"}


def _short(text: str | None) -> str | None:
    if text is None:
        return None
    text = normalize_inline(text)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1].rstrip() + "…"


def _key(text: str) -> str:
    return normalize_inline(text).casefold().rstrip(" .;:")


def _modified(aspect: str, label: str, old: str | None, new: str | None) -> list[FieldChange]:
    if (old or "") == (new or ""):
        return []
    return [FieldChange(aspect=aspect, kind="modified", label=label, old=_short(old), new=_short(new))]


def _added_removed(aspect: str, what: str, old: Iterable[str], new: Iterable[str]) -> list[FieldChange]:
    """'Thêm <what>: …' and 'Bỏ <what>: …' for items compared by their normalised text."""
    old_items = {_key(o): o for o in old}
    new_items = {_key(n): n for n in new}
    changes = [
        FieldChange(aspect=aspect, kind="added", label=f"Thêm {what}", new=_short(new_items[k])) for k in new_items if k not in old_items
    ]
    changes += [
        FieldChange(aspect=aspect, kind="removed", label=f"Bỏ {what}", old=_short(old_items[k])) for k in old_items if k not in new_items
    ]
    return changes


def _channel_rows(channels: list[Channel]) -> dict[tuple[str, int], Channel]:
    """Channels keyed by (name, occurrence): the portal sometimes lists one channel twice."""
    rows: dict[tuple[str, int], Channel] = {}
    for channel in channels:
        n = sum(1 for name, _ in rows if name == channel.channel)
        rows[(channel.channel, n)] = channel
    return rows


def _channel_words(key: tuple[str, int]) -> str:
    name, n = key
    return CHANNEL_WORDS.get(name, name.lower()) + (f" (dòng {n + 1})" if n else "")


def _describe_channel(channel: Channel) -> str:
    parts = [f"thời hạn {channel.time_limit}" if channel.time_limit else "", f"lệ phí {channel.fee}" if channel.fee else ""]
    details = ", ".join(p for p in parts if p)
    return channel.channel + (f" ({details})" if details else "")


def _channels(old: list[Channel], new: list[Channel]) -> list[FieldChange]:
    old_rows, new_rows = _channel_rows(old), _channel_rows(new)
    changes: list[FieldChange] = []
    for key, after in new_rows.items():
        before = old_rows.get(key)
        if before is None:
            changes.append(FieldChange(aspect="channel", kind="added", label="Thêm hình thức nộp", new=_describe_channel(after)))
            continue
        words = _channel_words(key)
        changes += _modified("time_limit", f"Thời hạn {words}", before.time_limit, after.time_limit)
        changes += _modified("fee", f"Lệ phí {words}", before.fee, after.fee)
    for key, before in old_rows.items():
        if key not in new_rows:
            changes.append(FieldChange(aspect="channel", kind="removed", label="Bỏ hình thức nộp", old=before.channel))
    return changes


def _documents(old: list[Document], new: list[Document]) -> list[FieldChange]:
    changes = _added_removed("documents", "giấy tờ", [d.name for d in old], [d.name for d in new])
    old_copies = {_key(d.name): d.copies for d in old}
    for doc in new:
        key = _key(doc.name)
        if key in old_copies and (old_copies[key] or "") != (doc.copies or ""):
            changes += _modified("documents", f"Số lượng “{_short(doc.name)}”", old_copies[key], doc.copies)
    return changes


def _steps(old: list[str], new: list[str]) -> list[FieldChange]:
    changes = _added_removed("steps", "bước", old, new)
    if len(changes) > MAX_STEP_LINES:
        added = sum(1 for c in changes if c.kind == "added")
        label = f"Trình tự thực hiện thay đổi ({added} bước mới, {len(changes) - added} bước bỏ)"
        return [FieldChange(aspect="steps", kind="note", label=label)]
    if not changes and [_key(s) for s in old] != [_key(s) for s in new]:
        return [FieldChange(aspect="steps", kind="note", label="Trình tự thực hiện thay đổi thứ tự các bước")]
    return changes


def _legal_text(ref: LegalRef) -> str:
    return ref.title if not ref.number or ref.number in ref.title else f"{ref.title} ({ref.number})"


def _legal_basis(old: list[LegalRef], new: list[LegalRef]) -> list[FieldChange]:
    old_refs = {_key(r.number or r.title): r for r in old}
    new_refs = {_key(r.number or r.title): r for r in new}
    changes = [
        FieldChange(aspect="legal_basis", kind="added", label="Thêm căn cứ pháp lý", new=_short(_legal_text(r)))
        for k, r in new_refs.items()
        if k not in old_refs
    ]
    changes += [
        FieldChange(aspect="legal_basis", kind="removed", label="Bỏ căn cứ pháp lý", old=_short(_legal_text(r)))
        for k, r in old_refs.items()
        if k not in new_refs
    ]
    return changes


def compare_procedures(old: Procedure, new: Procedure) -> list[FieldChange]:
    """Every field-level difference people act on, in the order a procedure card shows them."""
    changes = _modified("name", "Tên thủ tục", old.name, new.name)
    changes += _modified("level", "Cấp thực hiện", ", ".join(old.levels), ", ".join(new.levels))
    changes += _modified("agency", "Cơ quan thực hiện", old.agency, new.agency)
    changes += _modified("field", "Lĩnh vực", old.field, new.field)
    changes += _channels(old.channels, new.channels)
    changes += _documents(old.documents, new.documents)
    if [_key(n) for n in old.document_notes] != [_key(n) for n in new.document_notes]:
        changes.append(FieldChange(aspect="documents", kind="note", label="Lưu ý về thành phần hồ sơ được cập nhật"))
    changes += _steps(old.steps, new.steps)
    changes += _legal_basis(old.legal_basis, new.legal_basis)
    if [_key(c) for c in old.conditions] != [_key(c) for c in new.conditions]:
        changes.append(FieldChange(aspect="conditions", kind="note", label="Yêu cầu, điều kiện được cập nhật"))
    changes += _modified("result", "Kết quả", old.result, new.result)
    if not changes:
        changes.append(FieldChange(aspect="other", kind="note", label="Cập nhật mô tả, ghi chú (không đổi thời hạn, lệ phí, hồ sơ)"))
    return changes


def _old_procedure(previous: PreviousVersion, code: str) -> Procedure | None:
    try:
        return Procedure.model_validate_json(previous.procedure_lines[code])
    except (KeyError, ValueError) as exc:
        log.warning("cannot read %s of the previous version for the change report: %s", code, exc)
        return None


def _name_in(previous: PreviousVersion, code: str) -> str:
    try:
        return str(json.loads(previous.procedure_lines[code]).get("name") or code)
    except (KeyError, ValueError):
        return code


def procedure_changes(previous: PreviousVersion, plan: ContentPlan, report: IngestReport) -> list[ProcedureChange]:
    """Added, changed and removed procedures of this ingest (the plan document is not a procedure)."""
    result: list[ProcedureChange] = []
    for code in report.added:
        if code != PLAN_ID and code in plan.fresh:
            proc = plan.fresh[code]
            result.append(
                ProcedureChange(
                    code=code, name=proc.name, status="added", changes=[FieldChange(aspect="procedure", kind="note", label="Thủ tục mới")]
                )
            )
    for code in report.changed:
        if code == PLAN_ID or code not in plan.fresh:
            continue
        new, old = plan.fresh[code], _old_procedure(previous, code)
        changes = compare_procedures(old, new) if old else [FieldChange(aspect="other", kind="note", label="Nội dung được cập nhật")]
        result.append(ProcedureChange(code=code, name=new.name, status="changed", changes=changes))
    not_in_list = set(report.not_in_list)
    for code in report.removed:
        if code == PLAN_ID:
            continue
        label = "Bãi bỏ: không còn trong danh sách thủ tục mới công bố" if code in not_in_list else "Gỡ khỏi dữ liệu tra cứu"
        change = FieldChange(aspect="procedure", kind="note", label=label)
        result.append(ProcedureChange(code=code, name=_name_in(previous, code), status="removed", changes=[change]))
    return sorted(result, key=lambda c: ({"changed": 0, "added": 1, "removed": 2}[c.status], c.code))


def version_changes(
    name: str,
    created_at: str,
    previous: PreviousVersion | None,
    plan: ContentPlan,
    report: IngestReport,
    read_earlier: Callable[[PreviousVersion], VersionChanges | None] | None = None,
) -> VersionChanges:
    """The report of version ``name``, with the recent reports of the chain it was built on."""
    day = local_date(created_at)
    if previous is None:
        return VersionChanges(version=name, created_at=created_at, date=day, first=True)
    earlier: list[VersionChanges] = []
    try:
        before = (read_earlier or _read_previous_changes)(previous)
    except ValueError as exc:
        log.warning("the change report of %s is unreadable; history starts again: %s", previous.manifest.version, exc)
        before = None
    if before is not None:
        cutoff = (date.fromisoformat(day) - timedelta(days=HISTORY_DAYS)).isoformat()
        earlier = [v for v in before.history() if v.date >= cutoff and not v.first]
    return VersionChanges(
        version=name,
        previous=previous.manifest.version,
        created_at=created_at,
        date=day,
        procedures=procedure_changes(previous, plan, report),
        earlier=earlier,
    )


def _read_previous_changes(previous: PreviousVersion) -> VersionChanges | None:
    return read_changes(previous.path)
