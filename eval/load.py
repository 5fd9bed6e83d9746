"""A bounded loopback load generator for /api/chat (async httpx): N users, T seconds, then it stops."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlparse

import httpx
import numpy as np

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass
class LoadResult:
    users: int
    seconds: float
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def server_errors(self) -> int:
        return sum(n for code, n in self.statuses.items() if code >= 500) + self.errors

    def percentile(self, q: float) -> float:
        return float(np.percentile(self.latencies_ms, q)) if self.latencies_ms else 0.0

    def row(self) -> str:
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(self.statuses.items()))
        return (
            f"| {self.users} | {self.seconds:.0f} | {self.requests} | {self.rps:.1f} | {self.percentile(50):.0f} | "
            f"{self.percentile(95):.0f} | {self.server_errors} | {statuses} |"
        )


HEADER = "| users | seconds | requests | answers/s | p50 ms | p95 ms | 5xx + errors | statuses |\n|---|---|---|---|---|---|---|---|"


def _check_loopback(base_url: str) -> None:
    host = urlparse(base_url).hostname
    if host not in LOOPBACK:
        raise ValueError(f"load tests target loopback only, not {host}")


async def _user(client: httpx.AsyncClient, questions: list[str], offset: int, stop_at: float, result: LoadResult) -> None:
    i = offset
    while time.monotonic() < stop_at:
        question = questions[i % len(questions)]
        i += 1
        started = time.perf_counter()
        try:
            response = await client.post("/api/chat", json={"question": question})
            result.statuses[response.status_code] += 1
        except httpx.HTTPError:
            result.errors += 1
            continue
        result.latencies_ms.append((time.perf_counter() - started) * 1000)
        result.requests += 1


async def run_load(base_url: str, users: int, seconds: float, questions: list[str]) -> LoadResult:
    """``users`` concurrent clients ask questions in a loop for ``seconds``; loopback only."""
    _check_loopback(base_url)
    result = LoadResult(users=users, seconds=seconds)
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:
        stop_at = time.monotonic() + seconds
        await asyncio.gather(*(_user(client, questions, k * 7, stop_at, result) for k in range(users)))
    return result
