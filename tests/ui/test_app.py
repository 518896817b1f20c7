"""The page and its server: addresses, the room token, and serving on 127.0.0.1.

The served app played in Chromium is tests/ui/test_console.py.
"""

from __future__ import annotations

import socket

import pytest

from sim.ui import app


def test_serve_refuses_a_port_in_use_and_a_lan_room_without_a_token():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(RuntimeError, match="already in use"):
            app.serve("hub_and_spoke", "127.0.0.1", port)
    with pytest.raises(RuntimeError, match="join token"):
        app.serve("hub_and_spoke", "0.0.0.0", 8765)
