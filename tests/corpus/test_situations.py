"""Our situation vocabulary and life events: well-formed, and their codes and names match the portal records."""

from __future__ import annotations

import json
import unicodedata

import pytest

from ingest.vocabulary import load_life_events_file, load_vocabulary_file
from tests.conftest import CORPUS, SHARED_PORTAL
from tthc.text import one_tone_placement

FOLDER = CORPUS / "situations"
VOCABULARY = sorted(p for p in FOLDER.glob("*.yaml") if p.stem != "life-events")


@pytest.fixture(scope="module")
def portal_names() -> dict[str, str]:
    path = SHARED_PORTAL / "procedures.jsonl"
    if not path.exists():
        pytest.skip(f"portal data not found at {path}")
    names = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        names[record["ma_thu_tuc"]] = one_tone_placement(unicodedata.normalize("NFC", record["ten_thu_tuc"]))  # as ingest spells it
    return names


def test_vocabulary_is_well_formed_and_covers_the_ward_catalogue():
    entries = [e for path in VOCABULARY for e in load_vocabulary_file(path)]
    codes = [e.code for e in entries]
    assert len(codes) == len(set(codes)) >= 588
    for entry in entries:
        assert 2 <= len(entry.everyday) <= 6 and 2 <= len(entry.situations) <= 6, entry.code
        assert all(len(p.split()) <= 12 for p in (*entry.everyday, *entry.situations)), entry.code
    for path in VOCABULARY:
        assert unicodedata.is_normalized("NFC", path.read_text(encoding="utf-8"))


def test_vocabulary_codes_and_names_match_the_records(portal_names):
    for path in VOCABULARY:
        for entry in load_vocabulary_file(path):
            assert portal_names.get(entry.code) == entry.name, (path.name, entry.code)


def test_provincial_vocabulary_is_for_procedures_the_ward_does_not_handle():
    """cap-tinh-bo.yaml exists so that "mất bằng lái" reaches the provincial procedure: none of it is cấp xã."""
    path = SHARED_PORTAL / "procedures.jsonl"
    if not path.exists():
        pytest.skip(f"portal data not found at {path}")
    levels = {r["ma_thu_tuc"]: r["cap_thuc_hien"] for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())}
    entries = load_vocabulary_file(FOLDER / "cap-tinh-bo.yaml")
    assert len(entries) >= 150 and not [e.code for e in entries if "Cấp xã" in levels[e.code]]


def test_life_events_name_real_procedures_in_order(portal_names):
    events = load_life_events_file(FOLDER / "life-events.yaml")
    assert {"sinh-con", "nguoi-than-qua-doi", "ket-hon", "chuyen-nha", "mo-ho-kinh-doanh", "xay-nha"} <= {e.id for e in events}
    for event in events:
        for step in event.procedures:
            assert portal_names.get(step.code) == step.name, (event.id, step.code)
