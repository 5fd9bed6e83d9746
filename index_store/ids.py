"""Identifiers that the writer and the readers of the index must agree on."""

PLAN_ID = "KH-CCHC-2026-2030"
PLAN_TITLE = "Kế hoạch cải cách hành chính nhà nước giai đoạn 2026 - 2030 của phường Nam Gia Nghĩa"
