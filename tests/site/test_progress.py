"""`pmkit site build` shows stages and a page bar on a terminal, and nothing
extra when its output is not a terminal or CI=true (issue 15). The terminal is
a real pseudo-terminal."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

MINIMAL = Path(__file__).parents[1] / "fixtures" / "minimal"
PMKIT = [sys.executable, "-m", "pmkit"]


def build_on_pty(out: Path, env: dict[str, str]) -> tuple[int, str]:
    """Run the build with stdout and stderr on a pseudo-terminal; (exit code, what it showed)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([*PMKIT, "site", "build", str(MINIMAL), "-o", str(out), "--no-cache"],
                            stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=300), b"".join(chunks).decode("utf-8", "replace")


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS")}
    env.update(extra)
    return env


def test_a_terminal_sees_the_stages_and_a_bar_for_the_pages(tmp_path):
    code, shown = build_on_pty(tmp_path / "out", environment())
    assert code == 0, shown
    assert "pmkit: checking and loading the program" in shown
    pages = len([p for p in (tmp_path / "out").rglob("*.html") if p.name != "404.html"])
    bars = re.findall(r"\rpmkit: (converting|writing) pages \[([#.]{30})\] (\d+)/(\d+)", shown)
    assert {stage for stage, *_ in bars} == {"converting", "writing"}
    assert all(int(total) == pages for *_, total in bars)  # every page counted, none twice
    finals = [bar for stage, bar, done, total in bars if done == total]
    assert finals == ["#" * 30, "#" * 30]
    assert shown.index("converting pages") < shown.index("writing pages") < shown.index("pmkit: site written")
    assert "Built the status site" in shown


@pytest.mark.parametrize("extra", [{"CI": "true"}])
def test_ci_sees_nothing_extra_even_on_a_terminal(tmp_path, extra):
    code, shown = build_on_pty(tmp_path / "out", environment(**extra))
    assert code == 0, shown
    assert "pmkit:" not in shown and "\r pmkit" not in shown
    assert "Built the status site" in shown


def test_output_that_is_not_a_terminal_gets_nothing_extra(tmp_path):
    done = subprocess.run([*PMKIT, "site", "build", str(MINIMAL), "-o", str(tmp_path / "out"), "--no-cache"],
                          capture_output=True, text=True, env=environment(), timeout=300)
    assert done.returncode == 0, done.stderr
    assert "pmkit:" not in done.stderr + done.stdout
    assert "\r" not in done.stderr + done.stdout
