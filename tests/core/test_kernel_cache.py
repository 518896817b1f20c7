"""Numba's cache of the core's kernels follows the sources (sim/core/kernel_cache.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.core.kernel_cache import STAMP, drop_stale_kernels, sources_digest


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    for name in ("state.py", "dynamics/incidents.py", "dynamics/chains.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(f"# {name}\n")
    return tmp_path


def _cache(root: Path) -> list[Path]:
    files = [root / "dynamics/__pycache__/chains._chain_terms-1.py312.nbi"]
    files.append(files[0].with_suffix(".nbc"))
    for file in files:
        file.parent.mkdir(exist_ok=True)
        file.write_bytes(b"compiled")
    return files


def test_an_edit_in_another_module_drops_the_cache_of_every_kernel(tree):
    assert drop_stale_kernels(tree)  # no stamp yet: whatever is cached is of unknown sources
    cache = _cache(tree)
    assert not drop_stale_kernels(tree) and all(f.exists() for f in cache)  # nothing changed
    (tree / "dynamics/incidents.py").write_text("def minus_logit(): return 1\n")
    assert drop_stale_kernels(tree)
    assert not any(f.exists() for f in cache)  # chains' kernel inlines the edited formula
    assert (tree / "__pycache__" / STAMP).read_text() == sources_digest(tree)
    assert (tree / "dynamics/incidents.py").exists()  # only cache files go


def test_a_renamed_module_is_a_change_and_a_moved_cache_is_left_alone(tree, monkeypatch):
    drop_stale_kernels(tree)
    before = sources_digest(tree)
    (tree / "state.py").rename(tree / "sums.py")
    assert sources_digest(tree) != before
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tree / "elsewhere"))
    cache = _cache(tree)
    assert not drop_stale_kernels(tree) and all(f.exists() for f in cache)
