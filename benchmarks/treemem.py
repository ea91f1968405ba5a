"""Run a command and print the peak memory of it and all its descendants together.

``run.py`` reports a command's peak memory as ``wait4`` gives it: the largest
single process. A command that works in several processes at once (``pmkit
history`` deals commits to a worker per core; a cold validate parses on every
core) holds their sum. This samples ``/proc`` every 100 ms (Linux only), so a
peak shorter than that may be missed, and reports the peak of two sums: RSS
(counts a page shared by a forked child twice: an upper bound) and PSS
(splits a shared page between its sharers: what the processes hold).

    python benchmarks/treemem.py -- python -m pmkit history program --by commit
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

def _family(root: int) -> set[int]:
    """``root`` and every live descendant."""
    parent: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parent[int(entry.name)] = int(fields[1])
    family, grew = {root}, True
    while grew:
        more = {pid for pid, up in parent.items() if up in family} - family
        family |= more
        grew = bool(more)
    return family


def _memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes; 0 for a process gone meanwhile."""
    try:
        lines = (Path("/proc") / str(pid) / "smaps_rollup").read_text().splitlines()
    except OSError:
        return 0, 0
    found = {line.split(":")[0]: int(line.split()[1]) * 1024 for line in lines if line.startswith(("Rss:", "Pss:"))}
    return found.get("Rss", 0), found.get("Pss", 0)


def main(argv: list[str]) -> int:
    command = argv[argv.index("--") + 1:] if "--" in argv else argv
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    peak_rss = peak_pss = most = 0
    while proc.poll() is None:
        family = _family(proc.pid)
        sizes = [_memory(pid) for pid in family]
        peak_rss = max(peak_rss, sum(rss for rss, _ in sizes))
        peak_pss = max(peak_pss, sum(pss for _, pss in sizes))
        most = max(most, len(family))
        time.sleep(0.1)
    print(f"{time.perf_counter() - started:.2f} s, exit {proc.returncode}, peak of the summed RSS "
          f"{peak_rss / 2**20:.0f} MB, of the summed PSS {peak_pss / 2**20:.0f} MB (up to {most} processes)",
          file=sys.stderr)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
