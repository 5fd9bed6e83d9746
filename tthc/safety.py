"""Patterns of instructions aimed at the assistant (prompt injection), shared by the question guard
and the ingest, which refuses records that carry such text. Matched on folded, lower-cased text."""

from __future__ import annotations

import re

from tthc.text import fold_diacritics

INJECTION = re.compile(
    r"(bo qua|phot lo|quen|vo hieu|khong can tuan theo|dung tuan theo).{0,30}(huong dan|chi dan|quy tac|lenh|rang buoc|nguyen tac)"
    r"|ignore (all|any|the|previous|prior|your)|disregard (all|the|previous|your)|forget (all|your|previous)"
    r"|system prompt|prompt he thong|loi nhac he thong|developer mode|jailbreak|\bdan mode\b|do anything now"
    r"|(ban|may) (bay gio )?la (mot )?(tro ly|ai|chatbot|nguoi) (khac|moi|khong)|hay dong vai|dong vai|act as|pretend (to be|you)"
    r"|tiet lo (cau hinh|cai dat|huong dan|prompt|ma nguon|token|mat khau)|reveal (your|the) (prompt|instructions|config)"
    r"|(in|hien thi|cho xem) (ra )?(cau hinh|bien moi truong|token|mat khau|api key)|admin token|api[_ ]?key"
    r"|tra loi rang .{0,40}(le phi|phi|thoi han)|(noi|tra loi|khang dinh|xac nhan|confirm|say) (rang|that|it)? ?.{0,60}\b0 ?(dong|vnd|d)\b"
    r"|\b(noi|tra loi|khang dinh|xac nhan) rang .{0,40}\b(bang|la) 0\b"
    r"|(hay|cu) (tra loi|noi|xac nhan|khang dinh) rang|xac nhan rang .{0,40}(da duoc duyet|hop le|dung)"
    r"|(tu (bay )?gio|bay gio|ke tu gio) (ban|may|em) (la|se|dong vai)|gia vo (ban|la|lam)|hay tuong tuong (ban|minh) la"
    r"|\[(system|he thong|admin)\]|che do (quan tri|admin|developer|nha phat trien|go loi|debug)"
    r"|toi la (admin|quan tri vien|nha phat trien|developer|nguoi tao ra ban)"
    r"|(nhac lai|lap lai|in ra|xuat|liet ke|doc lai) .{0,40}(chi dan|huong dan he thong|chi thi|tai lieu noi bo|cau hinh|nguyen van)"
    r"|\.env\b|co so du lieu cua he thong|duong dan (den|toi) (co so du lieu|file|thu muc)|mat khau (quan tri|admin)"
    r"|\b(soan|tao|viet) (cho toi )?(mot )?(giay|van ban|con dau)\b.{0,40}\b(dong dau|gia mao|khong can duyet)\b"
    r"|\b(lam gia|gia mao) (giay|con dau|chu ky|ho so)"
    r"|\b(your|the) (hidden |system |original )?(instructions|prompt|rules)\b|what model are you"
)


def contains_instructions(text: str) -> bool:
    """True when a text tells the assistant what to do or say (checked on folded, lower-cased text)."""
    return INJECTION.search(fold_diacritics(text.casefold())) is not None
