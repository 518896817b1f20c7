"""The manifest: validated against its schema, read with guards, never "repaired" by deletion."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sweep_files import copy_of, edit_manifest, finished_sweep, make_sweep_files, snapshot

from sim.cli import main
from sim.sweep import manifest as manifest_module
from sim.sweep.manifest import FORMAT, MAX_DEPTH, read_manifest
from sim.sweep.spec import load_sweep
from sim.sweep.store import SweepError, sweep_in


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return finished_sweep(tmp_path_factory.mktemp("finished"))


@pytest.fixture
def sweep_copy(finished, tmp_path: Path) -> tuple[Path, Path]:
    spec, out = finished
    return spec, copy_of(out, tmp_path)


def deep(depth: int) -> str:
    return "[" * depth + "]" * depth


#: Values that are valid JSON but not a manifest resume can rely on, and the field each names.
BAD_VALUES = {
    "negative chunk size": (lambda m: m["design"].update(chunk_size=-5), "design.chunk_size"),
    "zero chunk size": (lambda m: m["design"].update(chunk_size=0), "design.chunk_size"),
    "chunks that do not add up": (lambda m: m["design"].update(chunks=2), "design"),
    "runs that do not add up": (lambda m: m["design"].update(runs=999), "design"),
    "no sessions": (lambda m: m.update(sessions=None), "sessions"),
    "no parameters": (lambda m: m.update(parameters=None), "parameters"),
    "a parameter without a kind": (lambda m: m["parameters"][0].pop("kind"), "parameters[0]"),
    "numeric fingerprint": (lambda m: m.update(fingerprint=12345), "fingerprint"),
    "unknown outcome": (lambda m: m["outcomes"].append("alignment.XXX"), "outcomes"),
    "outcomes as text": (lambda m: m.update(outcomes="p_crisis"), "outcomes"),
    "bad checksum": (
        lambda m: m["files"]["runs/part-000001.parquet"].update(sha256="xyz"),
        "sha256",
    ),
    "negative size": (
        lambda m: m["files"]["runs/part-000001.parquet"].update(size=-1),
        "size",
    ),
    "a part beyond the chunks": (
        lambda m: m["files"].update({"runs/part-000099.parquet": m["files"]["design.parquet"]}),
        "99",
    ),
    "a file outside the sweep": (
        lambda m: m["files"].update({"../notes.txt": m["files"]["design.parquet"]}),
        "files",
    ),
    "a spec that does not validate": (
        lambda m: m["spec"]["design"].update(method="magic"),
        "spec.design.method",
    ),
    "a seed of the wrong type": (lambda m: m.update(seed="99"), "seed"),
    "an unknown key": (lambda m: m.update(chunk_size=4), "chunk_size"),
    "deeply nested sessions": (lambda m: m.update(sessions=json.loads(deep(200))), "nested"),
}


@pytest.mark.parametrize("damage", list(BAD_VALUES), ids=list(BAD_VALUES))
@pytest.mark.parametrize("how", ["spec", "directory"])
def test_a_manifest_with_bad_values_is_refused_with_the_field_and_nothing_is_deleted(
    sweep_copy, damage: str, how: str
) -> None:
    spec, out = sweep_copy
    change, field = BAD_VALUES[damage]
    edit_manifest(out, change)
    before = snapshot(out)
    target = [str(spec), "--out", str(out)] if how == "spec" else [str(out)]
    result = CliRunner().invoke(main, ["sweep", *target, "--resume", "--workers", "0"])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "manifest.json is damaged" in result.output and field in result.output
    assert "hint: start the sweep afresh with --force" in result.output
    assert "Traceback" not in result.output
    assert snapshot(out) == before


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100_000])
def test_a_deeply_nested_manifest_is_one_message_not_a_recursion_error(
    sweep_copy, depth: int
) -> None:
    spec, out = sweep_copy
    text = (out / "manifest.json").read_text()
    (out / "manifest.json").write_text(
        text.replace('"sessions": [', f'"x": {deep(depth)}, "sessions": [', 1)
    )
    before = snapshot(out)
    result = CliRunner().invoke(main, ["sweep", str(spec), "--out", str(out), "--resume",
                                       "--workers", "0"])  # fmt: skip
    assert result.exit_code == 2, result.output
    assert f"is damaged (nested more than {MAX_DEPTH} levels deep)" in result.output
    assert snapshot(out) == before


def test_a_manifest_larger_than_any_manifest_is_not_read(
    sweep_copy, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, out = sweep_copy
    monkeypatch.setattr(manifest_module, "MAX_BYTES", 1000)
    with pytest.raises(
        SweepError, match=r"is damaged \([\d,]+ bytes, more than a manifest's 1,000\)"
    ):
        read_manifest(out)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"format": 2, "fingerprint": NaN}', "NaN is not a JSON number"),
        (b'{"format": 2, "fing', "not JSON"),
        (b"[1, 2]", "not a geosim manifest"),
    ],
)
def test_a_manifest_that_is_not_json_or_not_a_manifest_is_damaged(
    sweep_copy, text: bytes, says: str
) -> None:
    _, out = sweep_copy
    (out / "manifest.json").write_bytes(text)
    with pytest.raises(SweepError, match=r"manifest\.json is damaged") as caught:
        read_manifest(out)
    assert says in str(caught.value)


def test_a_manifest_of_an_older_geosim_says_so(sweep_copy) -> None:
    _, out = sweep_copy
    edit_manifest(out, lambda m: m.update(format=1))
    with pytest.raises(SweepError, match=f"older geosim .* this geosim reads format {FORMAT}"):
        read_manifest(out)


def test_a_manifest_reads_back_as_written_and_records_what_ran(finished) -> None:
    spec, out = finished
    record = read_manifest(out)
    sweep = load_sweep(spec)
    assert record.fingerprint == sweep.fingerprint()
    assert record.design.chunks == 6 and record.complete
    assert record.packages["numpy"] and record.geosim
    assert record.git_commit is None or len(record.git_commit) == 40
    assert [p.path for p in record.parameters] == list(sweep.parameter_names)
    assert sorted(record.files) == ["design.parquet"] + [
        f"runs/part-{c:06d}.parquet" for c in range(6)
    ]


def test_the_sweep_a_directory_records_is_the_sweep_that_ran(finished, tmp_path: Path) -> None:
    """``geosim sweep DIR --resume`` needs no spec: the manifest holds it in full."""
    spec, out = finished
    recorded = sweep_in(out)
    original = load_sweep(spec)
    assert recorded.fingerprint() == original.fingerprint()
    assert recorded.outcomes == original.outcomes
    assert (recorded.unit == original.unit).all()


@pytest.mark.parametrize(
    "name",
    sorted(p.stem for p in (Path(__file__).parents[2] / "scenarios" / "sweeps").glob("*.yaml")),
)
def test_every_shipped_sweep_is_recorded_in_full(name: str, tmp_path: Path) -> None:
    from sim.sweep.store import prepare_directory

    sweep = load_sweep(name)
    prepare_directory(sweep, tmp_path / "out", sweep.chunk_size, resume=False, force=False)
    recorded = sweep_in(tmp_path / "out")
    assert recorded.fingerprint() == sweep.fingerprint()
    assert recorded.outcomes == sweep.outcomes


def test_a_record_that_no_longer_gives_its_fingerprint_is_damaged(sweep_copy) -> None:
    _, out = sweep_copy
    edit_manifest(out, lambda m: m.update(seed=7))
    with pytest.raises(SweepError, match="do not give its fingerprint"):
        sweep_in(out)


def test_too_many_chunks_are_refused_before_anything_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(manifest_module, "MAX_CHUNKS", 5)
    spec = make_sweep_files(tmp_path)
    result = CliRunner().invoke(main, ["sweep", str(spec), "--out", str(tmp_path / "out"),
                                       "--chunk-size", "4", "--workers", "0"])  # fmt: skip
    assert result.exit_code == 2
    assert "make 6 chunks, more than 5; give --chunk-size 5 or more" in result.output
    assert not (tmp_path / "out").exists()
