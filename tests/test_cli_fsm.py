"""``migspec table`` and ``migspec path`` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from migspec.cli import main

from .conftest import SEED_SPEC
from .kernel_truth import KERNEL_NEXT, STATES


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([*args, "--spec", str(SEED_SPEC)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_table_json_all_features(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "table", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["features"] == ["STOP_COPY", "P2P", "PRE_COPY"]
    assert set(doc["states"]) == set(STATES)
    for a in STATES:
        assert [doc["next"][a][b] for b in STATES] == list(KERNEL_NEXT[a])
    assert doc["paths"]["PRE_COPY"]["STOP_COPY"] == ["PRE_COPY", "PRE_COPY_P2P", "STOP_COPY"]
    assert doc["paths"]["STOP_COPY"]["PRE_COPY"] is None
    assert doc["next"]["STOP_COPY"]["PRE_COPY"] == "ERROR"
    assert doc["paths"]["STOP"]["STOP"] == ["STOP"]
    assert doc["paths"]["ERROR"]["STOP"] is None


def test_table_json_subset_is_the_walk(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "table", "--format", "json", "--features", "none")
    assert code == 0
    doc = json.loads(out)
    assert doc["features"] == ["STOP_COPY"]
    assert doc["states"] == ["STOP", "RUNNING", "STOP_COPY", "RESUMING", "ERROR"]
    assert "PRE_COPY" not in doc["next"]["RUNNING"]
    assert doc["next"]["RUNNING"]["STOP"] == "STOP"
    assert doc["paths"]["RUNNING"]["STOP_COPY"] == ["RUNNING", "STOP", "STOP_COPY"]

    code, out, _ = run(capsys, "table", "--format", "json", "--features", "PRE_COPY")
    doc = json.loads(out)
    assert doc["next"]["PRE_COPY"]["STOP_COPY"] == "STOP_COPY"
    assert doc["next"]["STOP_COPY"]["PRE_COPY"] == "ERROR"
    assert doc["paths"]["STOP_COPY"]["PRE_COPY"] is None


def test_listed_features_equal_all(capsys: pytest.CaptureFixture[str]) -> None:
    _, everything, _ = run(capsys, "table", "--format", "json")
    _, listed, _ = run(capsys, "table", "--format", "json", "--features", "P2P,PRE_COPY")
    assert json.loads(everything) == json.loads(listed)


def test_table_text_is_a_matrix(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "table")
    assert code == 0
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("from \\ to"))
    columns = header.split()[3:]
    assert set(columns) == set(STATES)
    (row,) = [line.split() for line in lines if line.startswith("PRE_COPY ")]
    cells = dict(zip(columns, row[1:], strict=True))
    assert cells["STOP_COPY"] == "PRE_COPY_P2P"
    assert "  PRE_COPY -> RUNNING -> RUNNING_P2P -> STOP -> RESUMING" in lines


def test_bad_feature_list_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "table", "--features", "P2P,TURBO")
    assert code == 2
    assert "unknown feature(s) TURBO" in err


def test_c_is_only_for_every_feature(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "table", "--format", "c", "--features", "none")
    assert (code, out) == (2, "")
    assert "--format c" in err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("PRE_COPY", "STOP_COPY"), ["PRE_COPY", "PRE_COPY_P2P", "STOP_COPY"]),
        (("PRE_COPY", "STOP_COPY", "--features", "PRE_COPY"), ["PRE_COPY", "STOP_COPY"]),
        (("RESUMING", "RUNNING", "--features", "none"), ["RESUMING", "STOP", "RUNNING"]),
        (("STOP", "STOP"), ["STOP"]),
    ],
)
def test_path_prints_one_state_per_line(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], expected: list[str]
) -> None:
    code, out, _ = run(capsys, "path", *args)
    assert code == 0
    assert out.splitlines() == expected


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("STOP_COPY", "PRE_COPY"), 1, "STOP_COPY -> PRE_COPY is refused"),
        (("ERROR", "STOP"), 1, "requests from or to the error state ERROR are refused"),
        (("STOP", "PRE_COPY", "--features", "P2P"), 2, "has no state PRE_COPY"),
        (("STOP", "LIMBO"), 2, "unknown state 'LIMBO'"),
    ],
)
def test_path_failures(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], code: int, message: str
) -> None:
    got, out, err = run(capsys, "path", *args)
    assert (got, out) == (code, "")
    assert message in err


def test_path_reports_the_hang(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    spec = tmp_path / "hang.yaml"
    spec.write_text(SEED_SPEC.read_text().replace("stop_at_error: true", "stop_at_error: false"))
    for features in ("PRE_COPY", "all"):
        code = main(["path", "STOP_COPY", "PRE_COPY", "--features", features, "--spec", str(spec)])
        err = capsys.readouterr().err
        assert code == 1
        assert "never returns (it is refused" in err
