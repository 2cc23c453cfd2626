"""Entry points the `moss` binary calls; each takes and returns plain data."""
from __future__ import annotations

import os
import sys

from _moss import compile as moss_compile
from _moss import execute, tracebacks, values
from _moss.container import Container


def run_exec(request: dict) -> dict:
    """Compile the MOSS file, run the generated code, and report everything as plain data.

    request: path, source, properties (stored JSON), code, code_file, target, args (list or None).
    """
    result: dict = {"ok": False, "returns": None, "returns_repr": None, "error": None, "module": None,
                    "properties": None, "unrestored": [], "warnings": []}
    runtime = None
    path = request["path"]
    try:
        try:
            runtime = compile_file(request)
        except moss_compile.BindingMissing as e:
            result["error"] = tracebacks.failure("module", "BindingMissing", str(e), file=path)
            return result
        except BaseException as e:
            result["error"] = tracebacks.describe(e, "module", anchor=path)
            return result
        result["unrestored"] = runtime.unrestored
        result["warnings"] = runtime.warnings

        code_file = request["code_file"]
        try:
            compiled = execute.compile_code(request["code"], code_file)
        except (SyntaxError, ValueError) as e:
            if isinstance(e, ValueError):
                e = SyntaxError(str(e), (code_file, None, None, None))
            result["error"] = tracebacks.describe(e, "syntax", anchor=code_file)
            return result
        try:
            returns = execute.run(runtime, request["code"], compiled, request["target"], request["args"])
        except execute.TargetError as e:
            result["error"] = tracebacks.failure("target", "TargetError", str(e), file=code_file)
            return result
        except BaseException as e:
            result["error"] = tracebacks.describe(e, "exception", anchor=code_file)
            return result

        result["module"] = runtime.module().__name__
        result["ok"] = True
        try:
            result["returns"] = values.plain(returns)
        except Exception:
            result["returns"] = None
        result["returns_repr"] = _safe_repr(returns)
        result["properties"], unsaved = runtime.properties()
        result["warnings"] = runtime.warnings + unsaved
        return result
    finally:
        if runtime is not None:
            result["warnings"] = result["warnings"] + runtime.destroy()
        _flush()


def run_prompt(request: dict) -> dict:
    """Compile the MOSS file and build its prompt. request: path, source, properties."""
    from _moss import prompt

    result: dict = {"ok": False, "error": None, "prompt": None, "sections": [], "warnings": []}
    runtime = None
    try:
        try:
            runtime = compile_file(request)
        except moss_compile.BindingMissing as e:
            result["error"] = tracebacks.failure("module", "BindingMissing", str(e), file=request["path"])
            return result
        except BaseException as e:
            result["error"] = tracebacks.describe(e, "module", anchor=request["path"])
            return result
        try:
            built = prompt.build(runtime, request["source"])
        except BaseException as e:
            result["error"] = tracebacks.describe(e, "module", anchor=request["path"])
            return result
        result.update(built)
        result["warnings"] = runtime.warnings + built["warnings"]
        result["ok"] = True
        return result
    finally:
        if runtime is not None:
            result["warnings"] = result["warnings"] + runtime.destroy()
        _flush()


def compile_file(request: dict) -> moss_compile.Runtime:
    path = request["path"]
    folder = os.path.dirname(path)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    stem = os.path.splitext(os.path.basename(path))[0]
    module = moss_compile.load_module(path, moss_compile.module_name_for(stem), request["source"])
    return moss_compile.build_runtime(module, request["properties"], Container())


def _safe_repr(value: object) -> str:
    try:
        return repr(value)
    except Exception as e:
        return f"<repr failed: {type(e).__name__}: {e}>"


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
