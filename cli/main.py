"""The `tthc` command line: ingest, status, changes, ask, serve, privacy, eval, train-ranker, bench.

Flags win over the environment and the defaults."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import date
from pathlib import Path
from typing import Any

from tthc.settings import Settings

log = logging.getLogger("tthc")
PORTAL_DEFAULT = Path("../shared/corpus/portal/procedures.jsonl")


def _settings(args: argparse.Namespace) -> Settings:
    """Settings from the environment, with the command's flags on top (init values win in pydantic-settings)."""
    overrides = {flag: getattr(args, flag) for flag in ("data_dir", "host", "port", "workers") if getattr(args, flag, None)}
    return Settings.model_validate({**Settings().model_dump(), **overrides})


def cmd_ingest(args: argparse.Namespace) -> int:
    from index_store.store import IndexProblem
    from ingest import rollback, run_ingest

    settings = _settings(args)
    try:
        if args.rollback:
            name = rollback(settings)
            print(json.dumps({"status": "rolled_back", "version": name}) if args.json else f"Đã quay lại phiên bản {name}.")
            return 0
        sources = [Path(s) for s in args.source] or [settings.corpus_dir]
        report = run_ingest(settings, sources, remove_missing=args.remove_missing, merge=args.merge)
    except IndexProblem as exc:
        log.error("ingest failed: %s", exc)
        print(json.dumps({"status": "failed", "message": str(exc)}) if args.json else f"Lỗi: {exc}")
        return 2
    print(json.dumps(report.to_dict(), ensure_ascii=False, indent=1, default=vars) if args.json else report.to_text())
    return 0 if report.status != "failed" else 1


def cmd_status(args: argparse.Namespace) -> int:
    from index_store.store import IndexProblem, Manifest, VersionStore, read_jsonl

    settings = _settings(args)
    store = VersionStore(settings.index_dir)
    try:
        manifest = Manifest.read(store.current_dir())
    except (IndexProblem, OSError) as exc:
        print(json.dumps({"status": "missing", "message": str(exc)}) if args.json else f"Chưa có chỉ mục: {exc}")
        return 1
    info: dict[str, Any] = {
        "version": manifest.version,
        "created_at": manifest.created_at,
        "embedding": manifest.embedding,
        "counts": manifest.counts,
        "plan_chunks": None,
        "versions": store.versions(),
    }
    info["plan_chunks"] = sum(1 for c in read_jsonl(store.current_dir() / "chunks.jsonl") if c["source"] == "plan")
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=1))
        return 0
    counts = manifest.counts
    print(f"Phiên bản hiện tại: {manifest.version} (tạo lúc {manifest.created_at})")
    print(f"Mô hình nhúng: {manifest.embedding['backend']}:{manifest.embedding['model']} ({manifest.embedding['dimension']} chiều)")
    print(
        f"Thủ tục: {counts['procedures']}   Đoạn (chunk): {counts['chunks']}   Đoạn của kế hoạch: {info['plan_chunks']}"
        f"   Vector: {counts['dense_units']}"
    )
    print(f"Các phiên bản giữ lại: {', '.join(info['versions'])}")
    return 0


def cmd_changes(args: argparse.Namespace) -> int:
    from index_store.changes import read_changes
    from index_store.store import VersionStore
    from tthc.text import display_date

    settings = _settings(args)
    store = VersionStore(settings.index_dir)
    version = args.version or store.current()
    problem = None
    if version is None:
        problem = f"chưa có chỉ mục tại {settings.index_dir}; hãy chạy 'tthc ingest'"
    elif version not in store.versions():
        problem = f"không có phiên bản {version}; các phiên bản giữ lại: {', '.join(store.versions()) or '—'}"
    else:
        try:
            changes = read_changes(store.versions_dir / version)
        except ValueError as exc:
            changes, problem = None, f"báo cáo thay đổi của {version} không đọc được: {exc}"
        if changes is None and problem is None:
            problem = f"phiên bản {version} không có báo cáo thay đổi (được tạo trước khi có tính năng này)"
    if problem is not None or changes is None:
        print(json.dumps({"status": "missing", "message": problem}, ensure_ascii=False) if args.json else f"Lỗi: {problem}")
        return 1
    if args.json:
        print(changes.model_dump_json(indent=1))
        return 0
    print(f"Báo cáo thay đổi của phiên bản {changes.version} (cập nhật ngày {display_date(changes.date)})")
    if changes.first:
        print("  Phiên bản đầu tiên: không có phiên bản trước để so sánh.")
        return 0
    counts = {status: sum(1 for p in changes.procedures if p.status == status) for status in ("changed", "added", "removed")}
    print(f"  So với phiên bản {changes.previous}: thay đổi {counts['changed']}, thêm mới {counts['added']}, gỡ bỏ {counts['removed']}")
    for line in changes.lines():
        print(f"  - {line}")
    if not changes.procedures:
        print("  Không có thủ tục nào thay đổi.")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from index_store.store import IndexProblem
    from rag.service import load_assistant

    settings = _settings(args)
    try:
        assistant = load_assistant(settings)
    except IndexProblem as exc:
        print(f"Lỗi: {exc}")
        return 1
    answer = assistant.answer(args.question)
    if args.json:
        print(answer.model_dump_json(indent=1))
        return 0
    print(answer.answer)
    print()
    print("Thủ tục tìm thấy: " + ", ".join(answer.retrieved[:10]))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    settings = _settings(args)
    workers = settings.workers
    if not settings.chroma_server and workers > 1:
        log.warning("the embedded vector store is not process-safe: serving with 1 worker (set TTHC_CHROMA_HOST for more)")
        workers = 1
    log.info("serving on http://%s:%d with %d worker(s); UI at /ui, API docs at /docs", settings.host, settings.port, workers)
    if workers == 1:
        from server.app import create_app

        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info", timeout_graceful_shutdown=10)
        return 0
    # worker processes build their own app from the environment: hand the flags over through it
    os.environ["TTHC_DATA_DIR"] = str(settings.data_dir)
    if "TTHC_EMBEDDING_THREADS" not in os.environ:
        # one embedding thread per worker: more threads than cores only contend
        os.environ["TTHC_EMBEDDING_THREADS"] = str(max(1, (os.cpu_count() or 2) // workers))
    uvicorn.run(
        "server.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_level="info",
        timeout_graceful_shutdown=10,
    )
    return 0


def cmd_privacy(args: argparse.Namespace) -> int:
    from service.privacy import export_csv, purge
    from service.storage import Storage

    settings = _settings(args)
    storage = Storage.from_settings(settings)
    if args.action == "purge":
        print(purge(storage, settings.question_retention_days).to_text())
        return 0
    if args.out is None:
        rows = export_csv(storage, args.since, sys.stdout)
        print(f"Đã xuất {rows} dòng.", file=sys.stderr)
        return 0
    with Path(args.out).open("w", encoding="utf-8-sig", newline="") as out:  # the BOM lets Excel read Vietnamese
        rows = export_csv(storage, args.since, out)
    print(f"Đã xuất {rows} dòng vào {args.out}.")
    return 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"ngày không hợp lệ: {text!r} (cần dạng YYYY-MM-DD)") from exc


def cmd_eval(args: argparse.Namespace) -> int:
    from eval.runner import run_eval
    from index_store.store import IndexProblem

    try:
        run_eval(_settings(args), Path(args.dataset), Path(args.out), baselines=args.baselines)
    except IndexProblem as exc:
        print(f"Lỗi: {exc}")
        return 1
    return 0


def cmd_train_ranker(args: argparse.Namespace) -> int:
    from index_store.store import IndexProblem
    from rag.service import load_assistant
    from rag.training import train

    settings = _settings(args)
    questions = Path(args.questions)
    if not any(questions.glob("*.jsonl")):
        print(f"Lỗi: không có tệp câu hỏi huấn luyện (*.jsonl) trong {questions}")
        return 1
    note_questions, event_questions = Path(args.note_questions), Path(args.event_questions)
    if args.question_words_only:
        return _recount_question_words(settings, [questions, *(f for f in (note_questions, event_questions) if f.is_dir())], args.out)
    try:
        assistant = load_assistant(settings)
    except IndexProblem as exc:
        print(f"Lỗi: {exc}")
        return 1
    model, figures = train(
        assistant.ranker,
        questions,
        assistant.version,
        max_false_refusals=settings.max_false_refusals,
        note_folder=note_questions if note_questions.is_dir() else None,
        event_folder=event_questions if event_questions.is_dir() else None,
    )
    out = Path(args.out) if args.out else settings.ranker_path
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(model.to_json() + "\n", encoding="utf-8")
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    print(f"Đã ghi mô hình xếp hạng vào {out}; chạy 'tthc ingest' để đưa nó vào một phiên bản chỉ mục mới.")
    return 0


def _recount_question_words(settings: Settings, folders: list[Path], out_arg: str | None) -> int:
    """The model file with its question words recounted from ``folders`` and everything else as it was."""
    from dataclasses import replace

    from rag.ranking import RankingModel
    from rag.training import learn_question_words

    try:
        model = RankingModel.from_dict(json.loads(settings.ranker_path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        log.error("train-ranker --question-words-only: cannot read %s: %s", settings.ranker_path, exc)
        model = None
    if model is None:
        print(f"Lỗi: không đọc được mô hình xếp hạng ở {settings.ranker_path}; hãy chạy 'tthc train-ranker' đầy đủ.")
        return 1
    words = learn_question_words(folders)
    out = Path(out_arg) if out_arg else settings.ranker_path
    out.parent.mkdir(parents=True, exist_ok=True)
    counted = {"unigrams": len(words.unigrams), "bigrams": len(words.bigrams), "recounted_from": [str(f) for f in folders]}
    recounted = replace(model, question_words=words, provenance={**model.provenance, "question_words": counted})
    out.write_text(recounted.to_json() + "\n", encoding="utf-8")
    print(f"Đã đếm lại cách người dân viết câu hỏi ({len(words.unigrams)} âm tiết, {len(words.bigrams)} cặp) vào {out}.")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from eval.bench_answer import bench_answer
    from eval.bench_ingest import bench_ingest
    from eval.parse_quality import parse_quality

    if args.target in ("answer", "all"):
        bench_answer(_settings(args), Path(args.dataset), Path(args.out))
    if args.target in ("serve", "all"):
        from eval.bench_serve import bench_serve

        bench_serve(Path(args.out), seconds=args.seconds, users=args.users, dataset=Path(args.dataset))
    if args.target == "privacy":
        from eval.bench_privacy import bench_privacy

        print(json.dumps(bench_privacy(Path(args.out)), ensure_ascii=False, indent=1))
        return 0
    if args.target == "must-answer":
        from eval.must_answer import must_answer_figures

        print(json.dumps(must_answer_figures(_settings(args)), ensure_ascii=False, indent=1))
        return 0
    if args.target == "restorer":
        from eval.restorer import restorer_figures

        print(json.dumps(restorer_figures(_settings(args), Path(args.dataset)), ensure_ascii=False, indent=1))
        return 0
    if args.target == "restated":
        from eval.dataset import load_dataset
        from eval.restated import measured_situations, procedure_names, write_vocabulary_without_restated

        settings = _settings(args)
        names = procedure_names(settings.corpus_dir)
        measured = measured_situations(load_dataset(Path(args.dataset)) + load_dataset(Path(args.fresh)), names)
        out = Path(args.out) / "situations"
        dropped = write_vocabulary_without_restated(settings.vocabulary_dir, out, measured, names)
        print(json.dumps({"dropped": sum(dropped.values()), "by_file": dropped, "written_to": str(out)}, ensure_ascii=False, indent=1))
        print(f"Chạy TTHC_VOCABULARY_DIR={out} tthc ingest … --data-dir <thư mục khác> rồi tthc eval để đo khi không có các cụm từ này.")
        return 0
    if args.target == "load":
        from eval.soak import bench_load

        bench_load(Path(args.out), step_seconds=args.step_seconds, soak_seconds=args.soak_seconds)
        return 0
    if args.target in ("answer", "serve"):
        return 0
    source = Path(args.source)
    if not source.exists():
        print(f"Không tìm thấy nguồn dữ liệu {source}.")
        return 1
    if args.target in ("parse", "all"):
        figure = parse_quality(source)
        print(json.dumps({k: v for k, v in figure.items() if k != "incomplete_codes"}, ensure_ascii=False))
        print("incomplete:", ", ".join(figure["incomplete_codes"]))
    if args.target in ("ingest", "all"):
        bench_ingest(source, Path(args.out))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tthc", description="Trợ lý thủ tục hành chính (tên phường: TTHC_WARD_NAME)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    ingest = sub.add_parser("ingest", help="build a new index version from sources")
    ingest.add_argument("--source", action="append", default=[], help="file or directory; repeatable (default: corpus/)")
    ingest.add_argument("--data-dir", help="data directory (default: TTHC_DATA_DIR or ./data)")
    ingest.add_argument("--remove-missing", action="store_true", help="remove procedures missing from a given .xlsx list")
    ingest.add_argument("--merge", action="store_true", help="update the current set instead of replacing it")
    ingest.add_argument("--rollback", action="store_true", help="make the previous version current again")
    ingest.add_argument("--json", action="store_true", help="print the report as JSON")
    ingest.set_defaults(func=cmd_ingest)

    status = sub.add_parser("status", help="show the current index version")
    status.add_argument("--data-dir")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=cmd_status)

    changes = sub.add_parser("changes", help="show what changed in an index version (default: the current one)")
    changes.add_argument("--version", help="a kept version name (see tthc status)")
    changes.add_argument("--data-dir")
    changes.add_argument("--json", action="store_true", help="print the report as JSON")
    changes.set_defaults(func=cmd_changes)

    ask = sub.add_parser("ask", help="answer one question")
    ask.add_argument("question")
    ask.add_argument("--data-dir")
    ask.add_argument("--json", action="store_true")
    ask.set_defaults(func=cmd_ask)
    serve = sub.add_parser("serve", help="run the API and the UI")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int)
    serve.add_argument("--data-dir")
    serve.set_defaults(func=cmd_serve)

    privacy = sub.add_parser("privacy", help="retention of the question log: purge now, or export a redacted CSV")
    privacy_actions = privacy.add_subparsers(dest="action", required=True)
    purge = privacy_actions.add_parser("purge", help="delete questions, answers and feedback older than the retention period")
    purge.add_argument("--data-dir")
    export = privacy_actions.add_parser("export", help="questions since a day, with ratings and comments, as redacted CSV")
    export.add_argument("--since", type=_day, required=True, help="first day, YYYY-MM-DD")
    export.add_argument("--out", help="CSV file to write (default: standard output)")
    export.add_argument("--data-dir")
    privacy.set_defaults(func=cmd_privacy)

    evaluate = sub.add_parser("eval", help="run the evaluation set and write the report")
    evaluate.add_argument("--dataset", default="eval/datasets", help="a .jsonl file or a folder of them")
    evaluate.add_argument("--data-dir")
    evaluate.add_argument("--out", required=True, help="output folder for results.jsonl, summary.json, report.md, chart.png")
    evaluate.add_argument("--baselines", action="store_true", help="also run BM25 alone, dense alone and a naive LangChain RAG")
    evaluate.set_defaults(func=cmd_eval)

    ranker = sub.add_parser("train-ranker", help="train the learned ranking step on training/questions (never on eval/)")
    ranker.add_argument("--data-dir", help="the index whose retrieval features it learns from (e.g. the portal index)")
    ranker.add_argument("--questions", default="training/questions", help="folder of training .jsonl files")
    ranker.add_argument(
        "--note-questions",
        default="training/notes",
        help="folder of detail questions: the note picker and the candidate ranking learn from them, the refusal does not",
    )
    ranker.add_argument("--event-questions", default="training/events", help="folder of life-event questions for the event decision")
    ranker.add_argument("--out", help="model file to write (default: TTHC_RANKER_PATH, training/ranker.json)")
    ranker.add_argument(
        "--question-words-only",
        action="store_true",
        help="only recount how citizens write (seconds), keeping the model file's learned weights; a full run recounts too",
    )
    ranker.set_defaults(func=cmd_train_ranker)

    bench = sub.add_parser("bench", help="measure ingest and answer speed (not a test)")
    targets = ["ingest", "answer", "serve", "load", "parse", "privacy", "must-answer", "restated", "restorer", "all"]
    bench.add_argument("target", choices=targets)
    bench.add_argument("--step-seconds", type=float, default=60.0, help="load benchmark: seconds at each user count")
    bench.add_argument("--soak-seconds", type=float, default=600.0, help="load benchmark: soak duration")
    bench.add_argument("--seconds", type=float, default=20.0, help="serve benchmark: seconds per configuration")
    bench.add_argument("--users", type=int, default=8, help="serve benchmark: concurrent clients")
    bench.add_argument("--data-dir", help="index for the answer benchmark")
    bench.add_argument("--dataset", default="eval/datasets")
    bench.add_argument("--fresh", default="eval/fresh", help="restated: the fresh split, measured too")
    bench.add_argument("--source", default=str(PORTAL_DEFAULT), help="portal JSONL for the ingest benchmark")
    bench.add_argument("--out", default="eval/results")
    bench.set_defaults(func=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("chromadb", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
