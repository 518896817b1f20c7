"""Counter-based random numbers: one independent stream per replicate, drawn in batches.

Replicate ``r`` of seed ``s`` must give the same numbers whether it runs alone, among a
thousand others, or through the Mesa model. Stateful generators would tie a replicate's draws to
the batch it runs in, and one ``numpy.random.Generator`` per replicate would put a Python loop
inside every step. Instead each draw is a pure function of ``(key_r, step, stream, index)``,
hashed with the SplitMix64 finaliser (Steele, Lea & Flood 2014) — the idea of counter-based
generators (Salmon et al. 2011, "Parallel random numbers: as easy as 1, 2, 3"). Keys come from
NumPy's ``SeedSequence`` so nearby seeds give unrelated streams.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

import numba
import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


class Stream(IntEnum):
    """Independent purposes of random draws within a step."""

    INCIDENT = 1
    ESCALATION = 2
    ALIGNMENT_A = 3
    ALIGNMENT_B = 4
    RESPONSE = 5
    INITIAL = 6
    DECISION = 7
    ACCEPTANCE = 8


def replicate_keys(seed: int, replicates: Sequence[int] | np.ndarray) -> np.ndarray:
    """Derive one 64-bit key per replicate from ``(seed, replicate)``.

    Args:
        seed: The scenario's base seed (non-negative).
        replicates: Replicate indices.

    Returns:
        ``uint64`` array of keys, one per replicate.
    """
    return np.array(
        [
            np.random.SeedSequence([int(seed), int(r)]).generate_state(1, dtype=np.uint64)[0]
            for r in replicates
        ],
        dtype=np.uint64,
    )


_S27, _S30, _S31 = np.uint64(27), np.uint64(30), np.uint64(31)
_S32, _S40, _S11 = np.uint64(32), np.uint64(40), np.uint64(11)


def uniforms(keys: np.ndarray, step: int, stream: Stream, n: int | np.ndarray) -> np.ndarray:
    """Draw ``n`` uniforms in [0, 1) per replicate for one step and stream.

    Args:
        keys: Replicate keys from :func:`replicate_keys`, shape ``(R,)``.
        step: Model step (month).
        stream: Purpose of the draws.
        n: Number of draws per replicate (draws ``0 … n−1``), or the indices of the draws
            wanted: draw ``k`` is the same number whichever other draws are taken with it.

    Returns:
        Array of shape ``(R, n)`` or ``(R, len(n))``.
    """
    if np.isscalar(n):
        offsets = _counters(int(stream), int(n))  # built once per stream and count
    else:
        offsets = (np.uint64(int(stream)) << _S32) + np.asarray(n).astype(np.uint64)
    return _hash(np.asarray(keys, dtype=np.uint64), offsets, np.uint64(step))


@functools.lru_cache(maxsize=256)
def _counters(stream: int, n: int) -> np.ndarray:
    """The counters of draws ``0 … n−1`` of a stream without the step (as :class:`DrawPlan`)."""
    offsets = DrawPlan.of([(Stream(stream), n)]).offsets
    offsets.flags.writeable = False  # shared between calls
    return offsets


@dataclass(frozen=True)
class DrawPlan:
    """Which draws of which streams to take together each step (see :func:`draw`).

    Attributes:
        offsets: Counter of each draw without the step, ``stream << 32 | index`` (``uint64``).
        bounds: Where each block ends among the offsets.
    """

    offsets: np.ndarray
    bounds: tuple[int, ...]

    @classmethod
    def of(cls, blocks: Sequence[tuple[Stream, int | np.ndarray]]) -> DrawPlan:
        """The plan of blocks ``(stream, n)``, each as :func:`uniforms` takes them."""
        parts = [
            (np.uint64(int(stream)) << _S32)
            + (np.arange(n) if np.isscalar(n) else np.asarray(n)).astype(np.uint64)
            for stream, n in blocks
        ]
        offsets = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)
        return cls(offsets, tuple(np.cumsum([len(p) for p in parts]).tolist()))


def draw(keys: np.ndarray, step: int, plan: DrawPlan) -> list[np.ndarray]:
    """The draws of a plan for one step, hashed together in one pass.

    Each block is exactly what :func:`uniforms` gives for it; drawing them together only saves
    the per-call overhead (a month needs five small blocks).

    Returns:
        One ``(R, ·)`` array per block.
    """
    u = _hash(np.asarray(keys, dtype=np.uint64), plan.offsets, np.uint64(step))
    starts = (0, *plan.bounds[:-1])
    return [u[:, a:b] for a, b in zip(starts, plan.bounds, strict=True)]


@numba.njit(cache=True, nogil=True)
def _hash(keys, offsets, step):
    """The uniforms of counters ``offsets | step << 40`` for every key, ``(R, len(offsets))``.

    ``u = (mix(key + mix(counter · φ + φ)) >> 11) / 2⁵³``, with :func:`_mix_one`'s SplitMix64
    finaliser: integer arithmetic modulo 2⁶⁴ and an exact conversion, the same bits as the
    array form.
    """
    m = offsets.size
    counter = np.empty(m, dtype=np.uint64)
    shifted = step << _S40
    for c in range(m):
        counter[c] = _mix_one((offsets[c] | shifted) * _GOLDEN + _GOLDEN)
    out = np.empty((keys.size, m))
    for r in range(keys.size):
        for c in range(m):
            z = _mix_one(keys[r] + counter[c])
            out[r, c] = np.float64(z >> _S11) * (1.0 / 9007199254740992.0)
    return out


@numba.njit(cache=True, nogil=True)
def _mix_one(z):
    """SplitMix64's finaliser of one ``uint64``."""
    z ^= z >> _S30
    z *= _M1
    z ^= z >> _S27
    z *= _M2
    z ^= z >> _S31
    return z


def box_muller(u1: np.ndarray, u2: np.ndarray) -> np.ndarray:
    """Standard normals from two arrays of uniforms in [0, 1)."""
    return np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2.0 * np.pi * u2)


def normals(keys: np.ndarray, step: int, n: int) -> np.ndarray:
    """Draw ``n`` standard normals per replicate (Box–Muller over two uniform streams)."""
    u1, u2 = draw(keys, step, DrawPlan.of([(Stream.ALIGNMENT_A, n), (Stream.ALIGNMENT_B, n)]))
    return box_muller(u1, u2)
