"""In-process component tests render in the test's thread only: no polling thread."""

from __future__ import annotations

import pytest

from sim.ui import widgets


@pytest.fixture(autouse=True)
def no_polling(monkeypatch):
    """Browsers poll for other browsers' changes; a component test has no other browser.

    (A poll thread rendering at the same moment as a click would make the click's redraw land
    a moment later, in that thread.) The browser tests (test_console.py) poll for real.
    """
    monkeypatch.setattr(widgets, "POLL_SECONDS", 3600.0)
