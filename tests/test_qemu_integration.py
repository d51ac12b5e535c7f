"""docs/qemu-integration.rst's snippets, run as QEMU would run them: the meson
test's command line, the GitLab CI job's commands (update --check and
sphinx-build -W with the extension) on a small QEMU-shaped tree made of QEMU
master's files."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import BUNDLED_SPEC, ROOT

SNIPPETS = ROOT / "docs" / "qemu-integration"
SPEC_IN_QEMU = "docs/devel/migration/vfio-migration.yaml"
INDEX = """\
QEMU
====

.. toctree::

   devel/migration/vfio
"""


@pytest.fixture
def qemu(corpus: Path, tmp_path: Path) -> Path:
    """QEMU master's files, the spec where QEMU would keep it, and a docs/
    whose conf.py is the documented snippet."""
    root = tmp_path / "qemu"
    shutil.copytree(corpus / "qemu-master", root)
    shutil.copyfile(BUNDLED_SPEC, root / SPEC_IN_QEMU)
    conf = "extensions = []\nexclude_patterns = ['_build']\n"
    (root / "docs" / "conf.py").write_text(conf + (SNIPPETS / "conf.py").read_text())
    (root / "docs" / "index.rst").write_text(INDEX)
    return root


def run(words: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """A command as the snippet writes it, with this checkout's migspec."""
    tools = {
        "migspec": [sys.executable, "-m", "migspec"],
        "sphinx-build": [sys.executable, "-m", "sphinx"],
    }
    return subprocess.run(
        [*tools[words[0]], *words[1:]],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "ext"), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
        check=False,
    )


def meson_args(source_root: Path) -> list[str]:
    """The meson test's ``args:``, with meson.project_source_root() evaluated."""
    text = (SNIPPETS / "meson.build").read_text()
    (body,) = re.findall(r"args: \[(.*?)\]", text, re.S)
    root = "meson.project_source_root()"
    out = []
    for item in re.split(r",\s*", body.strip()):
        if item.startswith(root + " / "):
            out.append(str(source_root / item.split(" / ", 1)[1].strip("'")))
        elif item == root:
            out.append(str(source_root))
        else:
            assert item.startswith("'") and item.endswith("'"), item
            out.append(item.strip("'"))
    return out


def ci_commands(section: str) -> list[list[str]]:
    job = yaml.safe_load((SNIPPETS / "gitlab-ci.yml").read_text())["migspec"]
    return [shlex.split(line) for line in job[section]]


def drift(qemu: Path) -> None:
    rst = qemu / "docs/devel/migration/vfio.rst"
    text = rst.read_text()
    old = "(RESTORE_VM, _ACTIVE, _RESUMING)"
    assert old in text
    rst.write_text(text.replace(old, "(RESTORE_VM, _ACTIVE, _STOP)"))


def test_the_meson_test_is_a_migspec_invocation_that_fails_on_drift(qemu: Path) -> None:
    args = meson_args(qemu)
    assert args[:2] == ["update", "--check"]
    clean = run(["migspec", *args], cwd=qemu / "docs")  # meson runs tests from the build dir
    assert clean.returncode == 0, clean.stderr
    drift(qemu)
    assert run(["migspec", *args], cwd=qemu / "docs").returncode == 1


def test_the_ci_job_passes_on_qemu_master_and_fails_on_drift(qemu: Path) -> None:
    commands = ci_commands("script")
    assert [c[0] for c in commands] == ["migspec", "sphinx-build"]
    assert "-W" in commands[1]
    for words in commands:
        done = run(words, cwd=qemu)
        assert done.returncode == 0, (words, done.stdout, done.stderr)
    assert (qemu / "public" / "docs" / "devel" / "migration" / "vfio.html").is_file()
    drift(qemu)
    shutil.rmtree(qemu / "public")
    built = run(commands[1], cwd=qemu)
    assert built.returncode != 0
    assert "check-docs-tuple" in built.stderr


def test_the_ci_job_reports_for_code_scanning(qemu: Path) -> None:
    drift(qemu)
    for words in ci_commands("after_script"):
        assert words[-2:] == ["||", "true"] and words[-4] == ">"
        done = run(words[:-4], cwd=qemu)
        assert done.returncode == 1
        (qemu / words[-3]).write_text(done.stdout)
    sarif = (qemu / "migspec.sarif").read_text()
    assert '"uri": "docs/devel/migration/vfio.rst"' in sarif
    assert '"uriBaseId": "%SRCROOT%"' in sarif
    assert str(qemu) not in sarif.replace(qemu.as_uri(), "")
    assert '"check_name": "check-docs-tuple"' in (qemu / "gl-code-quality-report.json").read_text()
