"""Identifiers that the writer and the readers of the index must agree on."""

PLAN_ID = "KH-CCHC-2026-2030"
# what the portal parser writes where a time limit lost its unit; the composer explains it to citizens
UNIT_LOST_NOTE = "(Cổng Dịch vụ công không ghi đơn vị)"

PLAN_TITLE = "Kế hoạch cải cách hành chính nhà nước giai đoạn 2026 - 2030 của phường Nam Gia Nghĩa"
