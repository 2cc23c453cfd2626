#!/usr/bin/env python3
"""Benchmarks moss against the floor and the reference, in clean virtual environments.

    cargo build --release && python3 benches/run.py            # cold, warm, stages
    python3 benches/run.py --growth                             # + the agent loop and `moss test` at scale

The floor is the interpreter importing what the MOSS file imports (`python -c "import ..."`),
in a virtual environment made for the benchmark that holds nothing else (no pip, no setuptools
and so no `.pth` start-up hook): moss runs with `VIRTUAL_ENV` set to that environment, so both
pay exactly the same interpreter start. The reference `ghostos_moss==0.3.7` is installed from
PyPI into an environment of its own. Every command is run in turn, round after round
(interleaved), and the medians are compared, so that the machine's load at any moment weighs
on all of them alike. The environments are kept in `~/.cache/moss-bench` between runs
(`--fresh` makes them again). The table in docs/performance.md is rewritten.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
MOSS = Path(os.environ.get("MOSS_BIN", TARGET / "release" / "moss"))
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "moss-bench"
REFERENCE = "ghostos_moss==0.3.7"
TIME = "/usr/bin/time"
"""GNU time, for peak RSS."""
FIXTURES = {"light": [], "pydantic": ["pydantic"]}
"""Each benchmark MOSS file, with what its environment needs installed."""
START = [
    "client started", "client ready", "child started", "interpreter started", "shipped modules imported",
    "moss file compiled", "injected", "code ran", "prompt built", "properties encoded", "result encoded",
    "report written", "child ended", "context saved", "client done",
]
"""The stages `MOSS_TIMINGS` marks, in the order a run passes them."""


# ---------------------------------------------------------------- environments

def base_python() -> str:
    """The interpreter moss embeds (its installation, not a virtual environment)."""
    probe = "import sys, os; print(os.path.join(sys.base_prefix, 'bin', 'python%d.%d' % sys.version_info[:2]))"
    out = subprocess.run([str(MOSS), "python", "-c", probe], capture_output=True, text=True, check=True,
                         env={k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"})
    return out.stdout.strip()


def environment(name: str, packages: list[str], fresh: bool) -> Path:
    """A virtual environment holding only `packages` (made once, kept in the cache)."""
    venv = CACHE / f"{name}-py{platform.python_version()}"
    done = venv / ".moss-bench-ready"
    if fresh and venv.exists():
        shutil.rmtree(venv)
    if done.exists() and done.read_text() == json.dumps(packages):
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    python = base_python()
    subprocess.run([python, "-m", "venv", "--without-pip", str(venv)], check=True)
    if packages:
        # The installer's pip, pointed at the environment: nothing of pip is left in it.
        subprocess.run([python, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet",
                        "--disable-pip-version-check", *packages], check=True)
    done.write_text(json.dumps(packages))
    return venv


def installed(venv: Path) -> str:
    probe = ("import importlib.metadata as m; print(', '.join(sorted(f'{d.metadata[\"Name\"]} {d.version}' "
             "for d in m.distributions())))")
    out = subprocess.run([str(venv / "bin" / "python"), "-c", probe], capture_output=True, text=True, check=True)
    return out.stdout.strip() or "nothing"


# ---------------------------------------------------------------- running commands

class Command:
    """One command line of the benchmark, with the environment it runs in and its measurements."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str] | None = None, stages: bool = False) -> None:
        self.name = name
        self.argv = argv
        self.env = {**clean_environ(), **(env or {})}
        self.ms: list[float] = []
        self.rss_mib: list[float] = []
        self.stages: dict[str, list[float]] | None = {} if stages else None
        """With `stages`, the ms from the start to each stage MOSS_TIMINGS marks, run by run."""

    def run(self, cwd: Path) -> None:
        """Runs once; records the wall time (and the stages, when asked)."""
        log = cwd / f".moss-bench-timings-{id(self)}"
        env = self.env if self.stages is None else {**self.env, "MOSS_TIMINGS": str(log)}
        log.unlink(missing_ok=True)
        with open(os.devnull, "wb") as null:
            started, monotonic = time.perf_counter(), time.monotonic()
            status = subprocess.run(self.argv, cwd=cwd, env=env, stdout=null, stderr=null).returncode
            elapsed = time.perf_counter() - started
        if status != 0:
            sys.exit(f"{self.name} failed ({status}): {' '.join(self.argv)}")
        self.ms.append(elapsed * 1000)
        if self.stages is not None:
            for line in log.read_text().splitlines():
                stage, at = line.rsplit(" ", 1)
                self.stages.setdefault(stage, []).append((float(at) - monotonic) * 1000)
            self.stages.setdefault("exited", []).append(elapsed * 1000)
            log.unlink()

    def forget_last(self) -> None:
        """Drops the last run's measurements (a warm-up round)."""
        self.ms.pop()
        for marks in (self.stages or {}).values():
            marks.pop()

    def stage_medians(self) -> dict[str, float]:
        assert self.stages is not None
        order = [stage for stage in START if stage in self.stages] + ["exited"]
        return {stage: statistics.median(self.stages[stage]) for stage in order}

    def measure_rss(self, cwd: Path, runs: int = 5) -> None:
        """Peak RSS of the largest process of a run (moss's child included), through `time -f %M`:
        a process forked from this benchmark would count the benchmark's own size in its peak."""
        for _ in range(runs):
            out = subprocess.run([TIME, "-f", "%M", *self.argv], cwd=cwd, env=self.env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True, check=True)
            self.rss_mib.append(int(out.stderr.strip().splitlines()[-1]) / 1024)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.ms)

    @property
    def rss(self) -> float:
        return statistics.median(self.rss_mib)


def clean_environ() -> dict[str, str]:
    """The environment without what would change what an interpreter loads at start."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("PYTHON", "MOSS_")) and k not in ("VIRTUAL_ENV", "CONDA_PREFIX")}


def interleaved(commands: list[Command], cwd: Path, rounds: int, warmup: int = 3) -> None:
    """Each command once per round, the order rotated every round; the first rounds are dropped."""
    for round_number in range(warmup + rounds):
        shift = round_number % len(commands)
        for command in commands[shift:] + commands[:shift]:
            command.run(cwd)
            if round_number < warmup:
                command.forget_last()
    for command in commands:
        if command.stages is None:
            command.measure_rss(cwd)


@contextlib.contextmanager
def warm_server(work: Path, env: dict[str, str]) -> Iterator[None]:
    """`moss serve agent.py` in `work` for the duration of the block."""
    server = subprocess.Popen([str(MOSS), "serve", "agent.py"], cwd=work, env=env, stderr=subprocess.DEVNULL)
    socket = work / ".moss" / "agent.serve.sock"
    deadline = time.monotonic() + 60
    while not socket.exists():
        if time.monotonic() > deadline or server.poll() is not None:
            sys.exit("moss serve did not start")
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


def import_statements(moss_file: Path) -> str:
    """The MOSS file's own import statements (without ghostos_moss): the Python it needs."""
    import ast

    tree = ast.parse(moss_file.read_text())
    lines = [ast.unparse(node) for node in tree.body
             if isinstance(node, (ast.Import, ast.ImportFrom)) and "ghostos_moss" not in ast.unparse(node)]
    return "; ".join(lines)


# ---------------------------------------------------------------- the measurements

def side_by_side(fixture: str, venv: Path, reference: Path | None, rounds: int) -> tuple[list[Command], list[Command]]:
    """Floor, moss (cold, warm, prompt) and the reference on one MOSS file, interleaved; then the
    cold moss commands again, run with MOSS_TIMINGS in the same rounds, for their stages."""
    work = work_copy(fixture)
    in_venv = {"VIRTUAL_ENV": str(venv)}
    commands = [
        Command("floor", [str(venv / "bin" / "python"), "-c", import_statements(work / "agent.py")]),
        Command("moss exec", [str(MOSS), "exec", "agent.py", "--code", "gen.py", "--cold"], in_venv),
        Command("moss prompt", [str(MOSS), "prompt", "agent.py"], in_venv),
        Command("moss exec, warm (served)", [str(MOSS), "exec", "agent.py", "--code", "gen.py"], in_venv),
    ]
    if reference is not None:
        driver = str(ROOT / "benches" / "reference.py")
        python = str(reference / "bin" / "python")
        commands += [Command("reference exec", [python, driver, "exec"]),
                     Command("reference prompt", [python, driver, "prompt"])]
    staged = [Command(f"{c.name} (stages)", c.argv, {"VIRTUAL_ENV": str(venv)}, stages=True) for c in commands[1:3]]
    with warm_server(work, commands[1].env):
        interleaved(commands + staged, work, rounds)
    shutil.rmtree(work)
    return commands, staged


def agent_loop(venv: Path, steps: int) -> dict[str, tuple[list[float], list[float]]]:
    """`steps` runs of `moss exec` on one context and journal (aged), cold then warm, each step
    followed by the same run on a context and journal put back to their first state (fresh), so
    that the machine's load, which drifts, weighs on both alike: ms of each step, aged and fresh."""
    aged, fresh = work_copy("light"), work_copy("light")
    env = {"VIRTUAL_ENV": str(venv)}
    exec_argv = [str(MOSS), "exec", "agent.py", "--code", "gen.py"]
    Command("first step", exec_argv + ["--cold"], env).run(fresh)
    first_state = Path(tempfile.mkdtemp(prefix="moss-bench-state-")) / "moss"
    shutil.copytree(fresh / ".moss", first_state)
    loops = {}
    for mode, argv in (("cold", exec_argv + ["--cold"]), ("warm", exec_argv)):
        on_aged, on_fresh = Command(mode, argv, env), Command(mode, argv, env)
        with warm_server(aged, on_aged.env), warm_server(fresh, on_fresh.env):
            for _ in range(steps):
                on_aged.run(aged)
                for file in first_state.iterdir():
                    shutil.copy(file, fresh / ".moss" / file.name)
                on_fresh.run(fresh)
        loops[mode] = (on_aged.ms, on_fresh.ms)
    total = json.loads((aged / ".moss" / "agent.context.json").read_text())["properties"]["total"]
    assert total == 5 * 2 * steps, f"the loop did not save every step ({total})"
    for folder in (aged, fresh, first_state.parent):
        shutil.rmtree(folder)
    return loops


def test_suite(venv: Path, files: int) -> float:
    """Seconds `moss test --jobs 1` takes over `files` MOSS files of one case each."""
    work = Path(tempfile.mkdtemp(prefix="moss-bench-tests-"))
    source = (ROOT / "fixtures" / "bench" / "light" / "agent.py").read_text()
    case = ("\n\ndef test_distance(moss):\n    assert moss.meter.distance(3, 4) == 5\n\n\n"
            "__moss_test_cases__ = ['test_distance']\n")
    for i in range(files):
        (work / f"agent_{i:03}.py").write_text(source + case)
    command = Command(f"moss test, {files} files", [str(MOSS), "test", "--jobs", "1"], {"VIRTUAL_ENV": str(venv)})
    command.run(work)
    shutil.rmtree(work)
    return command.ms[0] / 1000


# ---------------------------------------------------------------- the report

def machine() -> str:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{platform.machine()}, {os.cpu_count()} cores ({model}), {platform.system()} {platform.release()}"


def ratio_table(title: str, commands: list[Command]) -> list[str]:
    by_name = {c.name: c for c in commands}
    floor, reference = by_name["floor"], by_name.get("reference exec")
    lines = [f"| {title} | median ms | × floor | reference ÷ moss | peak RSS MiB | × floor |",
             "| --- | --- | --- | --- | --- | --- |"]
    for command in commands:
        counterpart = by_name.get(command.name.replace("moss", "reference").replace(", warm (served)", ""))
        faster = (f"{counterpart.median_ms / command.median_ms:.1f}×"
                  if counterpart is not None and command.name.startswith("moss") else "")
        lines.append(f"| {command.name} | {command.median_ms:.1f} | {command.median_ms / floor.median_ms:.2f} | "
                     f"{faster} | {command.rss:.1f} | {command.rss / floor.rss:.2f} |")
    if reference is None:
        lines.append("\n(the reference was not measured: `--no-reference`)")
    return lines


def stage_table(title: str, marks: dict[str, float], floor_ms: float) -> list[str]:
    """Where a cold run's time goes, stage by stage, beside the floor measured in the same rounds."""
    lines = [f"| {title}: stage reached | ms from start | ms in this stage |", "| --- | --- | --- |"]
    previous = 0.0
    for stage, at in marks.items():
        lines.append(f"| {stage} | {at:.1f} | {at - previous:.1f} |")
        previous = at
    lines.append(f"| (floor: the interpreter alone, start to exit) | {floor_ms:.1f} | |")
    return lines


def growth_tables(loop: dict[str, tuple[list[float], list[float]]], suites: dict[int, float]) -> list[str]:
    lines = ["| agent loop on one context and journal | steps | first tenth: ms/step, aged ÷ fresh | "
             "last tenth: ms/step, aged ÷ fresh |", "| --- | --- | --- | --- |"]
    for name, (aged, fresh) in loop.items():
        tenth = max(1, len(aged) // 10)
        cells = []
        for part in (slice(None, tenth), slice(-tenth, None)):
            ratios = [a / f for a, f in zip(aged[part], fresh[part])]
            cells.append(f"{statistics.median(aged[part]):.1f}, {statistics.median(ratios):.2f}")
        lines.append(f"| `moss exec`, {name} | {len(aged)} | {cells[0]} | {cells[1]} |")
    lines += ["", "| `moss test --jobs 1` | total s | ms per file |", "| --- | --- | --- |"]
    lines += [f"| {files} files of one case | {seconds:.2f} | {seconds * 1000 / files:.1f} |"
              for files, seconds in suites.items()]
    return lines


def write_report(block: str) -> None:
    path = ROOT / "docs" / "performance.md"
    text = path.read_text()
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    text = text[: text.index(start)] + f"{start}\n{block}\n{end}" + text[text.index(end) + len(end):]
    path.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help="interleaved rounds per MOSS file (default 30)")
    parser.add_argument("--growth", action="store_true", help="also the agent loop and `moss test` over 50 and 500 files")
    parser.add_argument("--steps", type=int, default=300, help="steps of the agent loop (default 300: past the journal's bound)")
    parser.add_argument("--no-reference", action="store_true", help="skip installing and running the reference")
    parser.add_argument("--fresh", action="store_true", help="make the virtual environments again")
    parser.add_argument("--print-only", action="store_true", help="print the results, leave the docs alone")
    args = parser.parse_args()
    if not MOSS.exists():
        sys.exit(f"build first: cargo build --release (no {MOSS})")
    venvs = {fixture: environment(f"moss-{fixture}", packages, args.fresh) for fixture, packages in FIXTURES.items()}
    reference = None if args.no_reference else environment("reference", [REFERENCE], args.fresh)
    python = subprocess.run([str(venvs["light"] / "bin" / "python"), "-VV"], capture_output=True, text=True).stdout
    lines = [f"Measured {datetime.date.today().isoformat()} by `benches/run.py` ({args.rounds} interleaved rounds, "
             "medians) on:", "",
             f"- machine: {machine()}",
             f"- Python: {python.strip()}",
             *(f"- `{fixture}` environment (floor and moss): {installed(venv)}" for fixture, venv in venvs.items())]
    if reference is not None:
        lines.append(f"- reference environment: {installed(reference)}")
    stage_lines = []
    for fixture, venv in venvs.items():
        commands, staged = side_by_side(fixture, venv, reference, args.rounds)
        lines += ["", *ratio_table(f"{fixture} file", commands)]
        print("\n".join(lines[-len(commands) - 2:]), flush=True)
        for command in staged:
            stage_lines += ["", *stage_table(f"{fixture}: {command.name}", command.stage_medians(), commands[0].median_ms)]
    lines += stage_lines
    if args.growth:
        loop = agent_loop(venvs["light"], steps=args.steps)
        suites = {files: test_suite(venvs["light"], files) for files in (50, 500)}
        lines += ["", *growth_tables(loop, suites)]
    block = "\n".join(lines)
    print(block)
    if not args.print_only:
        write_report(block)


if __name__ == "__main__":
    main()
