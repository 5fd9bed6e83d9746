"""Machine description written next to every benchmark, so re-runs can be compared."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def machine_info() -> dict[str, str]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split("\n", 1)[0].split()[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def machine_table() -> str:
    return "\n".join(f"| {k} | {v} |" for k, v in machine_info().items())


def machine_section() -> list[str]:
    """The Markdown lines that close every benchmark report."""
    return ["| machine | |", "|---|---|", machine_table(), ""]
