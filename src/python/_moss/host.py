"""Entry points the `moss` binary calls; each takes a request and returns plain data: a `Report`,
but for `warm_up`, which `moss serve` calls in its own process.

Every entry point compiles the MOSS file afresh, reports a failure to load as the report's error
(never as an exception), and destroys the runtime whatever happened.
"""
from __future__ import annotations

import gc
import os
import sys
import types

import _moss_native as native
from _moss import compile as moss_compile
from _moss import matrix, tracebacks, values
from _moss.container import Container
from _moss.runtime import Runtime, TargetError, call, compile_code, run_code, wait_for_threads

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing them would cost every run more than its code
    from typing import Generic, TypedDict, TypeVar

    OutcomeT = TypeVar("OutcomeT")

    class Report(TypedDict, Generic[OutcomeT]):
        """What every entry point returns (the binary reads it as `ChildReport`): why the request
        failed (an error object from `tracebacks`, or None), the warnings, and the outcome of that
        entry point."""

        error: dict | None
        warnings: list[str]
        outcome: OutcomeT

    class ExecOutcome(TypedDict):
        """`run_exec`: the code's return value, the properties before and after it ran, and what
        the diff shows of them."""

        returns: object
        returns_repr: str | None
        module: str | None
        properties: dict | None
        started: dict | None
        unrestored: list[str]
        reprs: dict[str, dict[str, str]]
        file_warnings: list[str]
        file_processes: list[int] | None

    class Section(TypedDict):
        name: str
        module: str
        kind: str
        text: str

    class PromptOutcome(TypedDict):
        """`run_prompt`: the prompt and its sections; `ghost` for a turn's prompt."""

        prompt: str | None
        sections: list[Section]
        ghost: dict[str, str] | None

    class ListedCase(TypedDict):
        name: str
        problem: str | None

    class Collection(TypedDict):
        """`collect_tests`: the report's error says the file does not compile as `__test__`."""

        prompt_error: dict | None
        cases: list[ListedCase]

    class CaseOutcome(TypedDict):
        """`run_test_case`: a case passes when it returns; the report's error says all else."""

TEST_CASES = "__moss_test_cases__"
TEST_MODULE = "__test__"
"""The name the file's module has for `moss test`, as in the reference's test suite."""


class ProviderFailed(Exception):
    """A `providers` entry of the configuration could not be imported, called or registered."""

    hint = (
        "fix `providers` in the configuration (`moss config FILE.py` names the file) or the "
        "function it names: it must return a provider, or a list of them"
    )


def run_exec(request: dict) -> Report[ExecOutcome]:
    """Run generated code. request: path, source, properties (stored JSON), recorded_module
    (the module name the context recorded), code, code_file, target, args (list or None), no_target
    (why reading the code found no target, if it did: none of it runs)."""
    outcome: ExecOutcome = {"returns": None, "returns_repr": None, "module": None, "properties": None,
                            "started": None, "unrestored": [], "reprs": {"before": {}, "after": {}},
                            "file_warnings": [], "file_processes": None}
    result: Report[ExecOutcome] = {"error": None, "warnings": [], "outcome": outcome}
    with _session(request, result) as runtime:
        if runtime is None:
            return result
        outcome["unrestored"] = runtime.unrestored
        code_file = request["code_file"]
        try:
            compiled = compile_code(runtime, request["code"], code_file)
        except (SyntaxError, ValueError) as e:
            if isinstance(e, ValueError):
                e = SyntaxError(str(e), (code_file, None, None, None))
            result["error"] = tracebacks.describe(e, "syntax", anchor=code_file, moss_file=_moss_file(request))
            return result
        if request.get("no_target"):
            # Reading the code showed it binds no target: none of it runs.
            result["error"] = tracebacks.failure("target", "TargetError", request["no_target"], file=code_file)
            return result
        _restrict_imports(runtime, request)
        started, unsaved_before = _properties_before_the_code(runtime)
        outcome["started"] = started
        outcome["file_processes"] = _processes_started_so_far()
        namespace_before = dict(runtime.locals())
        try:
            returns = run_code(runtime, request["code"], compiled, request["target"], request["args"])
            wait_for_threads()
            native.mark("code ran")
        except TargetError as e:
            result["error"] = tracebacks.failure("target", "TargetError", str(e), file=code_file, hint=e.hint)
            return result
        except BaseException as e:
            result["error"] = tracebacks.describe(e, "exception", anchor=code_file, moss_file=_moss_file(request))
            return result
        module = outcome["module"] = runtime.module().__name__
        try:
            outcome["returns"] = values.plain(returns)
        except Exception:
            outcome["returns"] = None
        outcome["returns_repr"] = tracebacks.printable(_safe_repr(returns))
        namespace = runtime.locals()
        values.CODE_DEFINED = (module, frozenset(
            name for name, value in namespace.items() if namespace_before.get(name, namespace) is not value))
        properties, unsaved = runtime.properties()
        outcome["properties"] = properties
        outcome["reprs"] = _reprs_of_changes(started, properties)
        native.mark("properties encoded")
        result["warnings"] += unsaved
        # A value the file set that the code left alone is the file's to fix, not the model's.
        outcome["file_warnings"] = [tracebacks.printable(w) for w in unsaved if w in unsaved_before]
    return result


def _restrict_imports(runtime: Runtime, request: dict) -> None:
    """Apply the request's import allow-list, if any, to the compiled module: after the MOSS
    file's own imports ran, before any code or case does."""
    if request.get("allow_imports") is not None:
        from _moss import imports

        imports.restrict(runtime.module(), request["allow_imports"])


def _processes_started_so_far() -> list[int]:
    """The processes of this run's process group, but itself, before the code runs: what the MOSS
    file and its hooks started. Left running when the run ends, they are the file's to stop, and
    their command lines, which hidden code may have written, are not told to the model. Most runs
    start none, and then no other process is looked at."""
    children = []
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/children") as listed:
                children += listed.read().split()
        except OSError:
            continue
    if not children:
        return []
    group, found = os.getpgrp(), []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rpartition(")")[2].split()
        except (OSError, ValueError):
            continue
        if int(entry) != os.getpid() and fields[2:3] == [str(group)]:
            found.append(int(entry))
    return found


def _properties_before_the_code(runtime: Runtime) -> tuple[dict, list[str]]:
    """The properties as the code finds them, after the defaults and the MOSS file's hooks have
    set theirs, and the warnings for those that cannot be stored: what the code changed is told
    against these, so that nothing the file set (hidden or not) is credited to the code."""
    unrestored = list(runtime.unrestored)
    started, unsaved = runtime.properties()
    runtime.unrestored[:] = unrestored
    return started, unsaved


def _reprs_of_changes(started: dict, after: dict) -> dict[str, dict[str, str]]:
    """The Python reprs of the stored values that differ between two property sets, each decoded
    from its stored form and cut past 100 characters (where the diff cuts it), so that what changed reads as Python rather
    than as moss's encoding. A value that does not decode has none: its stored JSON is shown."""
    reprs: dict[str, dict[str, str]] = {"before": {}, "after": {}}
    for side, properties, other in (("before", started, after), ("after", after, started)):
        for name, stored in properties.items():
            if name in other and other[name] == stored:
                continue
            try:
                reprs[side][name] = _safe_repr(values.decode(stored, f"moss.{name}"))[:101]
            except Exception:
                continue
    return reprs


def run_prompt(request: dict) -> Report[PromptOutcome]:
    """Build the prompt. request: path, source, properties; with `turn`, the outcome's `ghost`
    holds the persona and instruction of the file's `__ghost__`, for the turn prompt."""
    from _moss import prompt

    outcome: PromptOutcome = {"prompt": None, "sections": [], "ghost": None}
    result: Report[PromptOutcome] = {"error": None, "warnings": [], "outcome": outcome}
    with _session(request, result, for_prompt=True) as runtime:
        if runtime is None:
            return result
        try:
            built = prompt.build(runtime, request["source"], runtime.ignored_modules)
            if request.get("turn"):
                outcome["ghost"] = prompt.ghost(runtime.module())
            native.mark("prompt built")
        except BaseException as e:
            result["error"] = tracebacks.describe(e, "module", anchor=request["path"], moss_file=_moss_file(request))
            return result
        result["warnings"] += built["warnings"]
        outcome["prompt"], outcome["sections"] = built["prompt"], built["sections"]
        if request.get("allow_imports") is not None:
            from _moss import imports

            rule = imports.rule(request["allow_imports"])
            outcome["prompt"] = built["prompt"].rstrip("\n") + "\n\n" + rule + "\n"
            outcome["sections"].append({"name": "<imports>", "module": "", "kind": "rule", "text": rule})
    return result


def collect_tests(request: dict) -> Report[Collection]:
    """Check that the MOSS file compiles and its prompt builds, as `moss prompt` builds it, and
    list its test cases as the reference's test suite finds them: in the file compiled as the
    module `__test__`, so that cases under `if __name__ == "__test__":` exist. Neither needs a
    binding for every type hint (as for `moss prompt`); a case that runs does.

    request: path, source. The report's error says why the file does not compile as `__test__`;
    the outcome's prompt_error why its prompt does not build, and its cases each say why the case
    cannot run (`problem`), if it cannot.
    """
    from _moss import prompt

    outcome: Collection = {"prompt_error": None, "cases": []}
    result: Report[Collection] = {"error": None, "warnings": [], "outcome": outcome}
    with _session(request, result, for_prompt=True) as runtime:
        if runtime is None:
            return result
        try:
            result["warnings"] += prompt.build(runtime, request["source"], runtime.ignored_modules)["warnings"]
        except BaseException as e:
            outcome["prompt_error"] = tracebacks.describe(e, "module", anchor=request["path"],
                                                          moss_file=_moss_file(request))
    as_test: Report[None] = {"error": None, "warnings": [], "outcome": None}
    with _session(request, as_test, as_test=True, for_prompt=True) as runtime:
        if runtime is not None:
            outcome["cases"], as_test["error"] = _listed_cases(runtime, request["path"])
    result["error"] = as_test["error"]
    result["warnings"] += [w for w in as_test["warnings"] if w not in result["warnings"]]
    return result


def _listed_cases(runtime: Runtime, path: str) -> tuple[list[ListedCase], dict | None]:
    """The cases `__moss_test_cases__` names, each with why it cannot run (or None); or the error
    of a `__moss_test_cases__` that is not a list of names."""
    names = runtime.locals().get(TEST_CASES, [])
    if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
        return [], tracebacks.failure(
            "module", "TypeError", f"{TEST_CASES} must be a list of function names, not {_safe_repr(names)}",
            file=path)
    cases: list[ListedCase] = []
    for name in names:
        case = runtime.locals().get(name)
        problem = None
        if case is None:
            problem = f"{TEST_CASES} names `{name}`, which the MOSS file does not define"
        elif not callable(case):
            problem = f"{TEST_CASES} names `{name}`, which is not a function (it is a `{type(case).__name__}`)"
        cases.append({"name": name, "problem": problem})
    return cases, None


def run_test_case(request: dict) -> Report[CaseOutcome]:
    """Run one test case in a fresh runtime of the file compiled as `__test__`; it passes when
    `case(moss)` returns. request: path, source, case, allow_imports (the import allow-list the
    case runs under, as generated code runs under it, or None)."""
    result: Report[CaseOutcome] = {"error": None, "warnings": [], "outcome": {}}
    with _session(request, result, as_test=True) as runtime:
        if runtime is None:
            return result
        _restrict_imports(runtime, request)
        name = request["case"]
        case = runtime.locals()[name]
        if request.get("allow_imports") is not None:
            from _moss import imports

            # The case stands for the code a model would write: its imports obey the rule as the code's do.
            case = imports.obeying(case)
        try:
            returned = call(case, name, [runtime.moss()])
            if isinstance(returned, (types.GeneratorType, types.AsyncGeneratorType)):
                raise TargetError(
                    f"`{name}` is a generator: its body runs only when iterated, so it cannot pass or fail; "
                    "a test case must run to its end (use plain calls and asserts instead of `yield`)")
            wait_for_threads()
        except TargetError as e:
            result["error"] = tracebacks.failure("target", "TargetError", str(e), file=request["path"])
            return result
        except BaseException as e:
            result["error"] = tracebacks.describe(e, "exception", anchor=request["path"], moss_file=_moss_file(request))
            return result
    return result


class _session:  # noqa: N801 - used as a function: `with _session(...) as runtime:`
    """`with _session(request, result) as runtime:` the compiled runtime (of the module `__test__`
    when `as_test`; with the type hints nothing binds left unset when `for_prompt`, as
    `build_runtime` says), or None with `result["error"]` describing why it failed to load.

    On the way out, `on_destroy()` runs on every injection, the run's containers are shut down
    and the runtime's warnings join `result["warnings"]`, whatever happened in between. (A class
    rather than `contextlib.contextmanager`, which every run would import.)
    """

    def __init__(self, request: dict, result: Report, as_test: bool = False, for_prompt: bool = False) -> None:
        self._request, self._result = request, result
        self._as_test, self._for_prompt = as_test, for_prompt
        self._runtime: Runtime | None = None

    def __enter__(self) -> Runtime | None:
        path, result = self._request["path"], self._result
        # moss's modules are loaded (with the collector off) and live as long as the run: in the
        # oldest generation, young collections do not walk them again, and `gc.get_referrers()`
        # still finds them. In a run forked from a warm server they stay frozen, out of the
        # collector's sight, as the server left them: a collection does not copy their pages.
        # The MOSS file and the code run with the collector on, as usual.
        forked_from_a_warm_server = gc.get_freeze_count() > 0
        gc.freeze()
        if not forked_from_a_warm_server:
            gc.unfreeze()
        gc.enable()
        try:
            self._runtime = _compile(self._request, self._as_test, self._for_prompt)
        except moss_compile.BindingMissing as e:
            result["error"] = tracebacks.failure("module", "BindingMissing", str(e), file=path, hint=e.hint)
        except ProviderFailed as e:
            result["error"] = tracebacks.failure("module", "ProviderFailed", str(e), file=path, hint=e.hint)
        except BaseException as e:
            result["error"] = tracebacks.describe(e, "module", anchor=path, moss_file=_moss_file(self._request))
        return self._runtime

    def __exit__(self, *exc: object) -> None:
        runtime, result = self._runtime, self._result
        if runtime is not None:
            _close(runtime)
            result["warnings"] = runtime.warnings + result["warnings"]
        result["warnings"] = [tracebacks.printable(w) for w in result["warnings"]]
        _flush((sys.stdout, sys.stderr))


def _moss_file(request: dict) -> tuple[str, str]:
    """The MOSS file's path and source, whose hidden lines no traceback quotes."""
    return request["path"], request["source"]


def _compile(request: dict, as_test: bool, for_prompt: bool) -> Runtime:
    path = request["path"]
    _add_import_roots(request)
    if request.get("environ") is not None:
        _take_on_environment(request["environ"])
    name, _ = moss_compile.placement(path)
    host = Container()
    for spec in request.get("providers") or []:
        _register_configured(host, spec)
    if request.get("device"):
        from sphero_bolt import _driver

        _driver.bind(host)
    source = request["source"]
    module = _load_as_test(path, source) if as_test else moss_compile.load_module(path, name, source)
    native.mark("moss file compiled")
    matrix.register_module_providers(host, module)
    recorded = request.get("recorded_module")
    if recorded and recorded != name:
        # Classes stored under the name the file's module had before (`agent:Profile` from when
        # it was compiled outside its package) are found in this module.
        sys.modules.setdefault(recorded, module)
    runtime = moss_compile.build_runtime(module, request["source"], request.get("properties") or {}, host, for_prompt)
    native.mark("injected")
    return runtime


def _take_on_environment(environ: dict[str, str]) -> None:
    """Give a run forked from a warm server its client's environment, as a cold run has it. Each
    name and value comes as a string of its bytes, one character per byte (Latin-1), so that a
    value that is not UTF-8 is set byte for byte."""
    import time

    os.environb.clear()
    os.environb.update({name.encode("latin-1"): value.encode("latin-1") for name, value in environ.items()})
    # The C library read TZ when the server started; a cold run reads the client's.
    time.tzset()
    if "tempfile" in sys.modules:
        sys.modules["tempfile"].tempdir = None  # found again from the new TMPDIR


def _close(runtime: Runtime) -> None:
    """Destroy the run's injections and shut its containers down: the runtime's, then the host's,
    where the configured providers and the file's providers hooks registered theirs."""
    host = runtime.container().parent
    runtime.close()
    if host is not None:
        try:
            host.shutdown()
        except Exception as e:
            runtime.warnings.append(f"shutting the run's container down raised {type(e).__name__}: {tracebacks.safe_str(e)}")


def _load_as_test(path: str, source: str) -> types.ModuleType:
    """The MOSS file run as the module `__test__`, as the reference's test suite runs it, so that
    its `if __name__ == "__test__":` blocks run; relative imports resolve in the file's package."""
    package = moss_compile.placement(path)[0].rpartition(".")[0]
    return moss_compile.load_module(path, TEST_MODULE, source, package=package)


def _add_import_roots(request: dict) -> None:
    """The real file's folder (as Python's for a script, through symbolic links), its package's
    root when it is in one, then the configured roots."""
    path = request["path"]
    roots = [os.path.dirname(os.path.realpath(path)), moss_compile.placement(path)[1]]
    roots += request.get("python_path") or []
    sys.path[:0] = [root for root in dict.fromkeys(roots) if root and root not in sys.path]


def warm_up(request: dict) -> dict:
    """Load what every run of this MOSS file loads, so that runs forked from here start warm.

    The file's import statements and the configured providers' modules are imported, then the
    file's body runs once in a throwaway module, as `moss prompt` runs it, so that libraries
    finish their lazy imports (pydantic builds its schema machinery on the first model). Then
    the project's own modules are forgotten again: each run imports them afresh, as a cold run
    does, and nothing the body did to them carries over. A failure is left for the runs to
    report. Returns the project's source files (`watch`): the server restarts when one changes.
    """
    import ast
    import importlib

    _add_import_roots(request)
    path, source = request["path"], request["source"]
    try:
        tree = ast.parse(source)
    except (SyntaxError, RecursionError, MemoryError):  # each run reports it
        tree = ast.Module(body=[], type_ignores=[])
    statements = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    modules = [spec.partition(":")[0].strip() for spec in request.get("providers") or []]
    name, _ = moss_compile.placement(path)
    with _output_discarded():
        for statement in statements:
            _quietly(lambda: exec(compile(ast.Module(body=[statement], type_ignores=[]), path, "exec"), {}))
        for module in modules:
            _quietly(lambda: importlib.import_module(module))
        _quietly(lambda: moss_compile.load_module(path, name, source))
    sys.modules.pop(name, None)
    watch = _project_files()
    project = set(watch)
    for loaded, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if isinstance(file, str) and os.path.realpath(file) in project:
            del sys.modules[loaded]
    # What is loaded now is shared by every forked run: kept out of the collector's sight, a
    # collection in a run does not write to (and so copy) every page of it.
    import gc

    gc.collect()
    gc.freeze()
    return {"watch": watch}


class _output_discarded:  # noqa: N801 - used as a function: `with _output_discarded():`
    """`with _output_discarded():` what is written to stdout and stderr goes nowhere, at the level
    of the descriptors: `sys.stdout` and `sys.stderr` stay the objects they were, so that a
    library that kept one (a logging handler) writes, in each run forked later, to descriptors
    1 and 2, which the run points at its client's pipes. Whatever the block assigned to
    `sys.stdout` or `sys.stderr` is undone."""

    def __enter__(self) -> None:
        self._streams = sys.stdout, sys.stderr
        _flush(self._streams)
        self._saved = os.dup(1), os.dup(2)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.close(null)

    def __exit__(self, *exc: object) -> None:
        # What the block left buffered is discarded with the rest, not written by a later run.
        _flush((sys.stdout, sys.stderr) + self._streams)
        sys.stdout, sys.stderr = self._streams
        for fd, saved in zip((1, 2), self._saved):
            os.dup2(saved, fd)
            os.close(saved)


def _flush(streams: tuple) -> None:
    """Flush each stream that can be flushed (one the code replaced or closed may not)."""
    for stream in streams:
        try:
            stream.flush()
        except Exception:
            pass


def _quietly(action: object) -> None:
    try:
        action()  # type: ignore[operator]
    except BaseException:
        pass


def _project_files() -> list[str]:
    """Source files of loaded modules that belong to the project, not to an installation."""
    import site
    import sysconfig

    installed = {os.path.realpath(p) for p in sysconfig.get_paths().values()}
    installed.update(os.path.realpath(p) for p in site.getsitepackages() + [site.getusersitepackages()])
    files = set()
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if not isinstance(file, str) or not os.path.isfile(file):
            continue
        real = os.path.realpath(file)
        if not any(real.startswith(root + os.sep) for root in installed):
            files.add(real)
    return sorted(files)


def _register_configured(host: Container, spec: str) -> None:
    """Register what the configuration's `module:callable` returns: one provider or several."""
    import importlib  # only a configuration with `providers` needs it

    module_name, _, attribute = spec.partition(":")
    try:
        target: object = importlib.import_module(module_name.strip())
        for part in attribute.strip().split("."):
            target = getattr(target, part)
        made = target()  # type: ignore[operator]
        providers = made if isinstance(made, (list, tuple)) else [made]
        host.register(*providers)
    except Exception as e:
        raise ProviderFailed(
            f"the configured provider `{spec}` failed: {type(e).__name__}: {tracebacks.safe_str(e)}") from e


def _safe_repr(value: object) -> str:
    try:
        return repr(value)
    except Exception as e:
        return f"<repr failed: {type(e).__name__}: {tracebacks.safe_str(e)}>"
