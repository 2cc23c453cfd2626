#!/usr/bin/env python3
"""Benchmarks moss against the floor: the interpreter importing what the MOSS file imports.

Runs every command side by side in one run with hyperfine (medians of repeated cold runs) and
measures peak RSS, then rewrites docs/performance.md. Needs a release build and hyperfine:

    cargo build --release && python3 benches/run.py
"""
from __future__ import annotations

import datetime
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MOSS = ROOT / "target" / "release" / "moss"
# The real interpreter, not a version-manager shim: a shim's own start-up would flatter moss.
PYTHON = sys.executable


def hyperfine(commands: dict[str, str], cwd: Path, runs: int) -> dict[str, float]:
    """Median wall time in ms of each command, all measured in one hyperfine run."""
    with tempfile.NamedTemporaryFile(suffix=".json") as export:
        args = ["hyperfine", "--style", "none", "--warmup", str(min(3, runs)), "--runs", str(runs),
                "--export-json", export.name]
        for name, command in commands.items():
            args += ["--command-name", name, command]
        subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
        results = json.load(open(export.name))["results"]
    return {r["command"]: r["median"] * 1000 for r in results}


def peak_rss_mib(command: str, cwd: Path) -> float:
    """Peak resident memory of the largest process the command ran, in MiB."""
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1], shell=True, "
             "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([PYTHON, "-c", probe, command], cwd=cwd, check=True, capture_output=True, text=True)
    return int(out.stdout) / 1024


def import_statements(moss_file: Path) -> str:
    """The MOSS file's own import statements (without ghostos_moss): the Python it needs."""
    import ast

    tree = ast.parse(moss_file.read_text())
    lines = [ast.unparse(node) for node in tree.body
             if isinstance(node, (ast.Import, ast.ImportFrom))
             and "ghostos_moss" not in ast.unparse(node)]
    return "; ".join(lines)


def case(title: str, fixture: str, runs: int) -> list[tuple[str, float, float]]:
    work = Path(tempfile.mkdtemp(prefix="moss-bench-"))
    for file in (ROOT / "fixtures" / "bench" / fixture).iterdir():
        shutil.copy(file, work / file.name)
    floor = import_statements(work / "agent.py")
    commands = {
        "floor": f"{PYTHON} -c '{floor}'",
        "moss exec": f"{MOSS} exec agent.py --code gen.py",
        "moss prompt": f"{MOSS} prompt agent.py",
    }
    times = hyperfine(commands, work, runs)
    rows = [(f"{title}: {name}", times[name], peak_rss_mib(cmd, work)) for name, cmd in commands.items()]
    shutil.rmtree(work)
    return rows


def main() -> None:
    if not MOSS.exists():
        sys.exit("build first: cargo build --release")
    rows = case("light", "light", runs=40)
    rows += case("pydantic", "pydantic", runs=30)
    write_report(rows, test_suite_times())


def test_suite_times() -> dict[str, float]:
    """`moss test` over 50 small MOSS files of one case each, one job against two."""
    work = Path(tempfile.mkdtemp(prefix="moss-bench-tests-"))
    source = (ROOT / "fixtures" / "bench" / "light" / "agent.py").read_text()
    case = "\n\ndef test_distance(moss):\n    assert moss.meter.distance(3, 4) == 5\n\n\n__moss_test_cases__ = ['test_distance']\n"
    for i in range(50):
        (work / f"agent_{i:02}.py").write_text(source + case)
    times = hyperfine({f"jobs {j}": f"{MOSS} test --jobs {j}" for j in (1, 2)}, work, runs=3)
    shutil.rmtree(work)
    return times


def write_report(rows: list[tuple[str, float, float]], suite: dict[str, float]) -> None:
    floors: dict[str, tuple[float, float]] = {}
    lines = ["| command | median ms | × floor | peak RSS MiB | × floor |", "| --- | --- | --- | --- | --- |"]
    for name, ms, rss in rows:
        group = name.split(":")[0]
        if name.endswith("floor"):
            floors[group] = (ms, rss)
        floor_ms, floor_rss = floors[group]
        lines.append(f"| {name} | {ms:.1f} | {ms / floor_ms:.2f} | {rss:.1f} | {rss / floor_rss:.2f} |")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    today = datetime.date.today().isoformat()
    lines += ["", "| `moss test`, 50 files of one case | median s |", "| --- | --- |"]
    lines += [f"| {name} | {ms / 1000:.2f} |" for name, ms in suite.items()]
    table = "\n".join(lines)
    text = (ROOT / "docs" / "performance.md").read_text() if (ROOT / "docs" / "performance.md").exists() else ""
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    block = f"{start}\nMeasured {today} on {machine} by `benches/run.py`.\n\n{table}\n{end}"
    if start in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text = text + block + "\n"
    (ROOT / "docs" / "performance.md").write_text(text)
    print(table)


if __name__ == "__main__":
    main()
