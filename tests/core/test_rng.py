"""Counter-based random streams: a draw depends only on replicate, month, purpose and index."""

import numpy as np

from sim.core.rng import Stream, normals, replicate_keys, uniforms


def test_draws_depend_only_on_replicate_step_and_stream():
    keys = replicate_keys(5, range(10))
    batch = uniforms(keys, 7, Stream.INCIDENT, 30)
    alone = uniforms(replicate_keys(5, [6]), 7, Stream.INCIDENT, 30)
    np.testing.assert_array_equal(batch[6], alone[0])


def test_streams_steps_seeds_and_replicates_differ():
    keys = replicate_keys(1, [0, 1])
    a = uniforms(keys, 3, Stream.INCIDENT, 100)
    assert not np.array_equal(a[0], a[1])
    assert not np.array_equal(a, uniforms(keys, 3, Stream.ESCALATION, 100))
    assert not np.array_equal(a, uniforms(keys, 4, Stream.INCIDENT, 100))
    assert not np.array_equal(a, uniforms(replicate_keys(2, [0, 1]), 3, Stream.INCIDENT, 100))


def test_uniforms_are_uniform_and_normals_normal():
    keys = replicate_keys(123, range(200))
    u = uniforms(keys, 1, Stream.INCIDENT, 500).ravel()
    assert u.min() >= 0.0 and u.max() < 1.0
    # Kolmogorov–Smirnov distance for 100k draws: 1.63/sqrt(n) is the 1% critical value.
    sorted_u = np.sort(u)
    ks = np.max(np.abs(sorted_u - np.arange(1, u.size + 1) / u.size))
    assert ks < 1.63 / np.sqrt(u.size)
    z = normals(keys, 1, 500).ravel()
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1.0) < 0.02
    # Adjacent draws are uncorrelated.
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 0.02


def test_a_subset_of_draws_gives_the_same_numbers_as_all_draws():
    keys = replicate_keys(5, range(7))
    every = uniforms(keys, 12, Stream.INCIDENT, 40)
    wanted = np.array([3, 17, 39])
    np.testing.assert_array_equal(uniforms(keys, 12, Stream.INCIDENT, wanted), every[:, wanted])


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser in array form (Steele, Lea & Flood 2014), in place."""
    z ^= z >> np.uint64(30)
    z *= np.uint64(0xBF58476D1CE4E5B9)
    z ^= z >> np.uint64(27)
    z *= np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    return z


def test_the_compiled_hash_is_the_array_form_of_splitmix64():
    """``uniforms`` (a compiled kernel) gives the bits of SplitMix64 in array form."""
    keys = replicate_keys(9, range(5))
    counters = np.array([0, 4, 31, 2**20], dtype=np.uint64)
    for step in (0, 13, 1199):
        index = (np.uint64(int(Stream.DECISION)) << np.uint64(32)) + counters
        index |= np.uint64(step) << np.uint64(40)
        with np.errstate(over="ignore"):
            golden = np.uint64(0x9E3779B97F4A7C15)
            z = _mix(keys[:, None] + _mix(index * golden + golden))
        expected = (z >> np.uint64(11)).astype(np.float64) * (1.0 / 2.0**53)
        drawn = uniforms(keys, step, Stream.DECISION, counters.astype(np.int64))
        assert drawn.tobytes() == expected.tobytes()
        assert (
            uniforms(keys, step, Stream.DECISION, 5).tobytes()
            == uniforms(keys, step, Stream.DECISION, np.arange(5)).tobytes()
        )
