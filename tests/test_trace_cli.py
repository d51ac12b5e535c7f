"""``migspec lint --trace-events``: exit codes and every output format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from migspec.cli import main

from .conftest import SEED_SPEC

CLEAN = '# dev.c\ndev_read(void *opaque, uint64_t addr) "%p 0x%" PRIx64\n'
WARNS = 'dev_bytes(char b) "0x%02x"\n'
ERRS = 'dev_read(uint64_t addr) "0x%x"\n'


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_clean_file_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--trace-events", write(tmp_path, "a", CLEAN)]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert "1 trace-events file: 0 errors, 0 warnings" in err


def test_errors_exit_one_located_at_the_conversion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "a", ERRS)
    assert main(["lint", "--trace-events", path]) == 1
    out = capsys.readouterr().out
    assert f"{path}:1:28: error: '%x' prints uint64_t argument 'addr'" in out
    assert "[trace-format-64bit]" in out


def test_fail_on_and_disable(tmp_path: Path) -> None:
    path = write(tmp_path, "a", WARNS)
    assert main(["lint", "--trace-events", path]) == 0
    assert main(["lint", "--fail-on", "warning", "--trace-events", path]) == 1
    assert (
        main(
            [
                "lint",
                "--fail-on",
                "warning",
                "--disable",
                "trace-format-sign-extension",
                "--trace-events",
                path,
            ]
        )
        == 0
    )


def test_unreadable_file_exits_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path, "a", CLEAN)
    missing = str(tmp_path / "missing")
    assert main(["lint", "--trace-events", good, missing]) == 2
    assert f"{missing}: error: no such file [input-unreadable]" in capsys.readouterr().out
    binary = tmp_path / "bin"
    binary.write_bytes(b"\0\1\2")
    assert main(["lint", "--trace-events", str(binary)]) == 2


def test_several_files_share_one_namespace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = write(tmp_path, "a", CLEAN)
    b = write(tmp_path, "b", CLEAN)
    assert main(["lint", "--trace-events", a, b]) == 0
    out = capsys.readouterr().out
    assert f"{b}:2:1: warning: event 'dev_read' is also defined in another file" in out
    assert f"{a}:2:1: note: other definition here" in out


@pytest.mark.parametrize("fmt", ["json", "sarif", "gitlab"])
def test_machine_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    path = write(tmp_path, "a", ERRS)
    assert main(["lint", "--format", fmt, "--trace-events", path]) == 1
    data = json.loads(capsys.readouterr().out)
    if fmt == "json":
        records = data["diagnostics"]
        assert {(r["rule"], r["line"], r["column"]) for r in records} == {
            ("trace-format-64bit", 1, 28)
        }
    elif fmt == "sarif":
        results = data["runs"][0]["results"]
        assert [r["ruleId"] for r in results] == ["trace-format-64bit"]
        region = results[0]["locations"][0]["physicalLocation"]["region"]
        assert region == {"startLine": 1, "startColumn": 28}
        rule_ids = {r["id"] for r in data["runs"][0]["tool"]["driver"]["rules"]}
        assert {"trace-syntax", "trace-format-hex-prefix"} <= rule_ids
    else:
        assert [(i["check_name"], i["location"]["lines"]["begin"]) for i in data] == [
            ("trace-format-64bit", 1)
        ]


def test_with_an_explicit_spec_both_are_linted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "a", CLEAN)
    assert main(["lint", "--spec", str(SEED_SPEC), "--trace-events", path]) == 0
    missing = str(tmp_path / "nope.yaml")
    assert main(["lint", "--spec", missing, "--trace-events", path]) == 2
