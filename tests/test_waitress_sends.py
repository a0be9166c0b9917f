"""A worker's answers go out in one send each (head and body together), from waitress's I/O loop.

waitress sends each write of the app at once, from the app's thread, unless told otherwise: an
answer was two sends, each letting go of the GIL mid-request (issue 13: 0.05-0.15 ms of a
worker's CPU per request). ``api.http.server.waitress_server`` is what a worker serves with."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from waitress import wasyncore
from waitress.channel import HTTPChannel

from advisor.assessment import read_document
from advisor.presets import preset_names, preset_path
from api.http import create_app
from api.http.server import SEND_BYTES, waitress_server

IO_LOOP = "waitress-io-loop"


@pytest.fixture
def sends(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[list[tuple[int, str]], int]]:
    """(each send of a worker's connections: the bytes offered and the thread that sent them;
    the worker's port), the worker running."""
    sent: list[tuple[int, str]] = []
    original = HTTPChannel.send

    def counted(self: Any, data: bytes, do_close: bool = True) -> int:
        # noted before the bytes leave: the client may read them before this thread goes on
        sent.append((len(data), threading.current_thread().name))
        done: int = original(self, data, do_close=do_close)
        return done

    monkeypatch.setattr(HTTPChannel, "send", counted)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    server = waitress_server(create_app({"TESTING": True}), sock, 2)
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            wasyncore.loop(timeout=0.05, map=server._map, count=1)

    thread = threading.Thread(target=loop, name=IO_LOOP, daemon=True)
    thread.start()
    try:
        yield sent, sock.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        server.task_dispatcher.shutdown()
        wasyncore.close_all(server._map)    # the listening socket, the trigger, connections


def test_an_answer_is_sent_by_the_io_loop_not_the_apps_thread(
        sends: tuple[list[tuple[int, str]], int]) -> None:
    """The app's thread only buffers an answer under ``SEND_BYTES``; the I/O loop sends it,
    usually in one send with its head (two when the loop wakes between the head's write and
    the body's: a matter of scheduling, so not asserted)."""
    sent, port = sends
    profile = json.dumps(read_document(preset_path(preset_names()[0])))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        for method, path, body in [("GET", "/api/v1/health", None),
                                   ("POST", "/api/v1/diagnoses", profile),
                                   ("GET", "/api/v1/health", None)]:
            sent.clear()
            connection.request(method, path, body=body,
                               headers={"Content-Type": "application/json"} if body else {})
            response = connection.getresponse()
            answer = response.read()
            assert response.status == 200
            assert len(answer) < SEND_BYTES
            assert sent and {thread for _, thread in sent} == {IO_LOOP}, (path, sent)
            assert sum(size for size, _ in sent) > len(answer)   # the head and the body
    finally:
        connection.close()
