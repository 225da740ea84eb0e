"""Nothing reaches the network at run time: ingest, ask and the chat (with its API) run with every
connection off this machine refused and recorded; the test fails on the first one attempted."""
from __future__ import annotations

import socket
from contextlib import contextmanager

from rag.settings import Settings

LOOPBACK = {"127.0.0.1", "::1", "localhost", "0.0.0.0"}


@contextmanager
def outbound_blocked(attempts: list):
    """Every connect or name lookup for a host off this machine raises and is recorded."""
    real_connect, real_connect_ex, real_lookup = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

    def allowed(sock, address) -> bool:
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return True  # unix sockets
        return address[0] in LOOPBACK

    def connect(sock, address):
        if not allowed(sock, address):
            attempts.append(address)
            raise OSError(f"network blocked by the test: {address}")
        return real_connect(sock, address)

    def connect_ex(sock, address):
        if not allowed(sock, address):
            attempts.append(address)
            return 111
        return real_connect_ex(sock, address)

    def getaddrinfo(host, *args, **kwargs):
        if host not in LOOPBACK and host is not None:
            attempts.append((host, "lookup"))
            raise socket.gaierror(f"network blocked by the test: {host}")
        return real_lookup(host, *args, **kwargs)

    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
    try:
        yield attempts
    finally:
        socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = real_connect, real_connect_ex, real_lookup


def test_the_guard_catches_a_connection():
    import urllib.request

    attempts: list = []
    with outbound_blocked(attempts):
        try:
            urllib.request.urlopen("https://pypi.org/simple/", timeout=5)
        except OSError:
            pass
    assert attempts == [("pypi.org", "lookup")]


def test_ingest_ask_and_the_chat_never_reach_the_network(two_seeds, tmp_path):
    from gradio_client import Client

    from rag.chain import open_pipeline
    from rag.ingest.pipeline import ingest
    from rag.retrieval.store import ReportStore
    from ui.app import serve
    from ui.service import ChatService

    from .conftest import _free_port

    attempts: list = []
    with outbound_blocked(attempts):
        settings = Settings.load(home=tmp_path / "home")
        ingest([two_seeds], ReportStore.open(settings, create=True), settings.lexical_dir, progress=False)
        answer = open_pipeline(settings).ask("Cụm thi đua số 2 gồm bao nhiêu tỉnh?")
        assert "14" in answer.answer

        service = ChatService(Settings.load(home=tmp_path / "chat-home"), seeds=two_seeds)
        port = _free_port()
        app = serve(service, port=port, block=False)
        try:
            result = Client(f"http://127.0.0.1:{port}", verbose=False).predict(
                "Cụm thi đua số 2 gồm bao nhiêu tỉnh?", api_name="/ask")
            assert "14" in result["answer"]
        finally:
            app.close()
    assert attempts == []
