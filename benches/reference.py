#!/usr/bin/env python3
"""Runs the reference ghostos_moss on `agent.py` in the current folder, as `moss` would:

    reference.py prompt   # print the module prompt
    reference.py exec     # run gen.py's main(moss) and keep the context in agent.context.json

For benchmarks only: the interpreter that runs it must have ghostos_moss installed.
"""
from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.getcwd())

from ghostos_moss import PyContext, get_moss_compiler  # noqa: E402

CONTEXT = "agent.context.json"


def main(action: str) -> None:
    compiler = get_moss_compiler()
    if action == "exec" and os.path.exists(CONTEXT):
        with open(CONTEXT) as f:
            compiler = compiler.join_context(PyContext(**json.load(f)))
    with compiler:
        runtime = compiler.compile("agent")
        with runtime:
            if action == "prompt":
                print(runtime.prompter().dump_module_prompt())
                return
            with open("gen.py") as f:
                execution = runtime.execute(target="main", code=f.read(), local_args=["moss"])
            print(execution.returns)
            with open(CONTEXT, "w") as f:
                f.write(runtime.dump_pycontext().model_dump_json())


if __name__ == "__main__":
    main(sys.argv[1])
