"""Client identity behind the deployed proxy: X-Forwarded-For counts only when the peer is trusted."""

from __future__ import annotations

from fastapi.testclient import TestClient

from server.app import create_app
from service.clients import client_address

PROXY = ["127.0.0.1/32", "10.0.0.0/8"]


def test_untrusted_peer_is_the_client_whatever_it_forwards():
    assert client_address("198.51.100.9", "1.2.3.4", PROXY) == "198.51.100.9"
    assert client_address("198.51.100.9", "1.2.3.4", []) == "198.51.100.9"


def test_trusted_proxy_hands_over_the_right_most_untrusted_address():
    assert client_address("127.0.0.1", "203.0.113.5", PROXY) == "203.0.113.5"
    # a client may forge the left part; the proxy appends what it saw on the right
    assert client_address("127.0.0.1", "6.6.6.6, 203.0.113.5", PROXY) == "203.0.113.5"
    assert client_address("127.0.0.1", "203.0.113.5, 10.1.2.3", PROXY) == "203.0.113.5"
    assert client_address("127.0.0.1", None, PROXY) == "127.0.0.1"
    assert client_address("127.0.0.1", "not-an-ip", PROXY) == "not-an-ip"


def _burst(client: TestClient, forwarded: str, n: int) -> list[int]:
    return [
        client.post("/api/chat", json={"question": "đăng ký tạm trú"}, headers={"X-Forwarded-For": forwarded}).status_code for _ in range(n)
    ]


def test_behind_a_trusted_proxy_each_citizen_has_a_bucket(api_settings, embedder):
    settings = api_settings.model_copy(update={"chat_rate_per_minute": 2, "trusted_proxies": ["10.0.0.0/8"]})
    with TestClient(create_app(settings, embeddings_factory=lambda s: embedder), client=("10.0.0.2", 5000)) as client:
        assert _burst(client, "203.0.113.1", 3) == [200, 200, 429]
        assert _burst(client, "203.0.113.2", 2) == [200, 200]  # another citizen is not limited by the first


def test_without_trusted_proxies_the_forwarded_header_is_ignored(api_settings, embedder):
    settings = api_settings.model_copy(update={"chat_rate_per_minute": 2, "trusted_proxies": []})
    with TestClient(create_app(settings, embeddings_factory=lambda s: embedder), client=("10.0.0.2", 5000)) as client:
        assert _burst(client, "203.0.113.1", 2) == [200, 200]
        assert _burst(client, "203.0.113.2", 1) == [429]  # forging another address does not help
