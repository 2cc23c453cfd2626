#!/usr/bin/env python3
"""Benchmarks moss against the floor: the interpreter importing what the MOSS file imports.

Runs every command side by side in one run with hyperfine (medians of repeated cold runs) and
measures peak RSS, then rewrites docs/performance.md. Needs a release build and hyperfine:

    cargo build --release && python3 benches/run.py
"""
from __future__ import annotations

import contextlib
import datetime
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MOSS = ROOT / "target" / "release" / "moss"
# The real interpreter, not a version-manager shim: a shim's own start-up would flatter moss.
PYTHON = sys.executable


def hyperfine(commands: dict[str, str], cwd: Path, runs: int, prepare: dict[str, str] | None = None) -> dict[str, float]:
    """Median wall time in ms of each command, all measured in one hyperfine run."""
    with tempfile.NamedTemporaryFile(suffix=".json") as export:
        args = ["hyperfine", "--style", "none", "--warmup", str(min(3, runs)), "--runs", str(runs),
                "--export-json", export.name]
        for name in commands:
            args += ["--prepare", (prepare or {}).get(name, "true")]
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


def reference_python() -> str | None:
    """An interpreter with the reference ghostos_moss installed (REFERENCE_PYTHON, else ours)."""
    candidate = os.environ.get("REFERENCE_PYTHON", PYTHON)
    found = subprocess.run([candidate, "-c", "import ghostos_moss.moss_impl"], capture_output=True)
    return candidate if found.returncode == 0 else None


@contextlib.contextmanager
def warm_server(work: Path) -> Iterator[None]:
    """`moss serve agent.py` in `work` for the duration of the block."""
    server = subprocess.Popen([str(MOSS), "serve", "agent.py"], cwd=work, stderr=subprocess.DEVNULL)
    socket = work / ".moss" / "agent.serve.sock"
    while not socket.exists():
        time.sleep(0.01)
    try:
        yield
    finally:
        server.terminate()
        server.wait()


def work_copy(fixture: str) -> Path:
    work = Path(tempfile.mkdtemp(prefix="moss-bench-"))
    for file in (ROOT / "fixtures" / "bench" / fixture).iterdir():
        shutil.copy(file, work / file.name)
    return work


def case(title: str, fixture: str, runs: int) -> list[tuple[str, float, float]]:
    work = work_copy(fixture)
    floor = import_statements(work / "agent.py")
    commands = {
        "floor": f"{PYTHON} -c '{floor}'",
        "moss exec": f"{MOSS} exec agent.py --code gen.py --cold",
        "moss exec, warm (served)": f"{MOSS} exec agent.py --code gen.py",
        "moss prompt": f"{MOSS} prompt agent.py",
    }
    reference = reference_python()
    if reference:
        driver = ROOT / "benches" / "reference.py"
        commands["reference exec"] = f"{reference} {driver} exec"
        commands["reference prompt"] = f"{reference} {driver} prompt"
    with warm_server(work):
        times = hyperfine(commands, work, runs)
        rows = [(f"{title}: {name}", times[name], peak_rss_mib(cmd, work)) for name, cmd in commands.items()]
    shutil.rmtree(work)
    return rows


def many_names(runs: int) -> list[tuple[str, float, float]]:
    """A MOSS file importing 200+ classes and functions from the standard library."""
    work = Path(tempfile.mkdtemp(prefix="moss-bench-names-"))
    imports = many_imports(220)
    (work / "agent.py").write_text("\n".join(imports) + "\n\nfrom ghostos_moss import Moss\n")
    cache = work / "cache"
    prompt = f"XDG_CACHE_HOME={cache} {MOSS} prompt agent.py"
    commands = {"floor": f"{PYTHON} -c '{'; '.join(imports)}'", "moss prompt, first run": prompt, "moss prompt, cached": prompt}
    times = hyperfine(commands, work, runs, prepare={"moss prompt, first run": f"rm -rf {cache}"})
    subprocess.run(["rm", "-rf", str(cache)], check=True)
    rss = {name: peak_rss_mib(cmd, work) for name, cmd in commands.items()}
    shutil.rmtree(work)
    return [(f"220 names: {name}", times[name], rss[name]) for name in commands]


def many_imports(count: int) -> list[str]:
    """`from M import N` lines for public classes and functions of common standard modules."""
    import importlib
    import inspect

    modules = ["os", "shutil", "subprocess", "json", "re", "math", "itertools", "functools", "collections",
               "datetime", "decimal", "fractions", "statistics", "string", "textwrap", "pathlib", "typing",
               "dataclasses", "enum", "heapq", "bisect", "random", "hashlib", "base64", "csv", "io", "tempfile",
               "glob", "fnmatch", "uuid", "calendar", "difflib", "pprint", "operator", "copy", "contextlib"]
    lines = []
    for name in modules:
        module = importlib.import_module(name)
        public = [attr for attr in sorted(getattr(module, "__all__", dir(module)))
                  if not attr.startswith("_") and (inspect.isclass(getattr(module, attr, None))
                                                   or inspect.isfunction(getattr(module, attr, None)))]
        lines += [f"from {name} import {attr}" for attr in public[:8]]
    return lines[:count]


def agent_loop() -> dict[str, float]:
    """100 steps of `moss exec` on the light file, each loading and saving the context."""
    work = work_copy("light")
    floor = import_statements(work / "agent.py")
    step = "for i in $(seq 100); do {}; done"
    commands = {
        "floor (python3, 100 starts)": step.format(f"{PYTHON} -c \"{floor}\""),
        "moss exec, cold": step.format(f"{MOSS} exec agent.py --code gen.py --cold > /dev/null"),
        "moss exec, warm (served)": step.format(f"{MOSS} exec agent.py --code gen.py > /dev/null"),
    }
    with warm_server(work):
        times = hyperfine({name: f"bash -c '{cmd}'" for name, cmd in commands.items()}, work, runs=3)
    steps = json.loads((work / ".moss" / "agent.context.json").read_text())["properties"]["total"] / 5
    assert steps >= 600, f"the loop did not save every step ({steps})"
    shutil.rmtree(work)
    return times


def main() -> None:
    if not MOSS.exists():
        sys.exit("build first: cargo build --release")
    rows = case("light", "light", runs=40)
    rows += case("pydantic", "pydantic", runs=30)
    rows += many_names(runs=10)
    write_report(rows, test_suite_times(), agent_loop(), reference_python() is not None)


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


def write_report(rows: list[tuple[str, float, float]], suite: dict[str, float], loop: dict[str, float],
                 reference: bool) -> None:
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
    floor_loop = next(iter(loop.values()))
    lines += ["", "| 100-step agent loop (light file, context saved each step) | total s | ms per step | × floor |",
              "| --- | --- | --- | --- |"]
    lines += [f"| {name} | {ms / 1000:.2f} | {ms / 100:.1f} | {ms / floor_loop:.2f} |" for name, ms in loop.items()]
    if not reference:
        lines += ["", "The reference ghostos_moss was not installed (set REFERENCE_PYTHON to an interpreter "
                  "that has it); its rows were skipped."]
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
