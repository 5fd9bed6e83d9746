"""Answer length figures: answers are read on phones, so length is a quality figure of its own.

Usage: ``python -m eval.answer_length [QUESTIONS.txt] [--data-dir DIR] [--dump OUT.txt]`` runs the
answering chain over one question per line (default: the varied questions about the curated
procedures below, written for this figure and kept apart from the evaluation set) and prints
median, p95 and max characters of the answers that were not refused.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
from collections.abc import Iterable
from pathlib import Path

from tthc.schema import Answer

QUESTIONS = (
    "đăng ký khai sinh cần giấy tờ gì",
    "lam giay khai sinh cho con can gi",
    "quy trình đăng ký khai sinh gồm mấy bước",
    "đăng ký khai sinh có mất phí không",
    "có nộp online đăng ký khai sinh được không",
    "đăng ký khai sinh",
    "lệ phí đăng ký thành lập hộ kinh doanh",
    "đăng ký hộ kinh doanh mất bao lâu",
    "hồ sơ đăng ký hộ kinh doanh gồm những gì",
    "đăng ký tạm trú cần giấy tờ gì",
    "đăng ký tạm trú có cần hợp đồng thuê nhà không",
    "lệ phí đăng ký tạm trú bao nhiêu",
    "đăng ký thường trú cần những gì",
    "quy trình đăng ký thường trú gồm mấy bước",
    "đăng ký thường trú ở đâu",
    "các bước đăng ký khai tử",
    "đăng ký khai tử có mất tiền không",
    "đăng ký kết hôn cần giấy tờ gì",
    "đăng ký kết hôn mất mấy ngày",
    "căn cứ pháp lý đăng ký kết hôn",
    "kết hôn với người nước ngoài cần giấy tờ gì",
    "thời hạn cấp đổi CCCD",
    "cấp lại thẻ căn cước bị mất lệ phí bao nhiêu",
    "làm căn cước cho con dưới 14 tuổi cần gì",
    "cấp giấy xác nhận tình trạng hôn nhân mất bao lâu",
    "xin giấy xác nhận độc thân có cần CCCD không",
    "kết quả của thủ tục xác nhận tình trạng hôn nhân",
    "điều kiện cấp giấy phép xây dựng mới công trình cấp III, cấp IV",
    "xin phép xây nhà cần hồ sơ gì",
    "quy trình cấp giấy phép xây dựng sửa chữa cải tạo",
    "gia hạn giấy phép xây dựng mất bao lâu",
    "chứng thực bản sao từ bản chính lệ phí bao nhiêu",
    "chứng thực chữ ký ở đâu",
    "chứng thực di chúc có mất phí không",
    "nộp hồ sơ tách hộ ở đâu",
    "tách hộ cần giấy tờ gì",
    "xác nhận thông tin cư trú có làm online được không",
    "khai báo tạm vắng",
    "xóa đăng ký thường trú cần những gì",
    "công nhận hộ nghèo thủ tục thế nào",
    "hưởng bảo hiểm xã hội một lần cần giấy tờ gì",
    "nhận tiền thai sản cần gì",
    "chế độ tử tuất thời hạn bao lâu",
    "đăng ký nuôi con nuôi lệ phí bao nhiêu",
    "điều kiện nhận con nuôi trong nước",
    "hòa giải tranh chấp đất đai gồm mấy bước",
    "đính chính sổ đỏ cần gì",
    "cấp bản sao giấy khai sinh bao nhiêu tiền",
    "đăng ký giám hộ",
    "đăng ký lại khai sinh cần giấy tờ gì",
    "thay đổi cải chính hộ tịch mất bao lâu",
    "chấm dứt hoạt động hộ kinh doanh ở đâu",
    "tạm ngừng kinh doanh hộ kinh doanh có mất phí không",
    "gia hạn tạm trú lệ phí",
    "cấp lại giấy chứng nhận đăng ký hộ kinh doanh cần gì",
    "đăng ký thay đổi nội dung hộ kinh doanh gồm mấy bước",
    "chứng thực hợp đồng nhà đất lệ phí",
    "ủy quyền lĩnh thay lương hưu cần gì",
    "đăng ký đất đai lần đầu cho tổ chức",
    "liên thông khai sinh thẻ bảo hiểm y tế cho trẻ em",
)


def answer_lengths(answers: Iterable[Answer]) -> dict[str, float]:
    """Median, p95 (nearest rank) and max characters of the non-refused answers, and their count."""
    lengths = sorted(len(a.answer) for a in answers if not a.refused)
    if not lengths:
        return {"count": 0, "median": 0, "p95": 0, "max": 0}
    p95 = lengths[max(0, math.ceil(0.95 * len(lengths)) - 1)]
    return {"count": len(lengths), "median": statistics.median(lengths), "p95": p95, "max": lengths[-1]}


def main() -> None:
    from rag.service import load_assistant
    from tthc.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", type=Path, nargs="?", help="one question per line (default: QUESTIONS)")
    parser.add_argument("--data-dir", type=Path, default=None, help="index data directory (default: settings)")
    parser.add_argument("--dump", type=Path, default=None, help="write every question and answer here")
    args = parser.parse_args()
    settings = Settings(data_dir=args.data_dir) if args.data_dir else Settings()
    assistant = load_assistant(settings)
    lines = args.questions.read_text(encoding="utf-8").splitlines() if args.questions else QUESTIONS
    questions = [q.strip() for q in lines if q.strip()]
    answers = [assistant.answer(q) for q in questions]
    if args.dump:
        blocks = [f"### {q}\n{a.answer}\n[{len(a.answer)} ký tự]" for q, a in zip(questions, answers)]
        args.dump.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    print(json.dumps(answer_lengths(answers), ensure_ascii=False))


if __name__ == "__main__":
    main()
