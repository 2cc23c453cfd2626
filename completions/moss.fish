# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_moss_global_optspecs
    string join \n color= q/quiet v/verbose h/help V/version
end

function __fish_moss_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_moss_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_moss_using_subcommand
    set -l cmd (__fish_moss_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c moss -n "__fish_moss_needs_command" -l color -d 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c moss -n "__fish_moss_needs_command" -s q -l quiet -d 'Print no warnings, only errors'
complete -c moss -n "__fish_moss_needs_command" -s v -l verbose -d 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
complete -c moss -n "__fish_moss_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c moss -n "__fish_moss_needs_command" -s V -l version -d 'Print version'
complete -c moss -n "__fish_moss_needs_command" -f -a "prompt" -d 'Print the prompt a model reads before writing code for a MOSS file'
complete -c moss -n "__fish_moss_needs_command" -f -a "exec" -d 'Run generated code inside a MOSS file and save what it stored on `moss`'
complete -c moss -n "__fish_moss_needs_command" -f -a "test" -d 'Check MOSS files: each compiles, its prompt builds, and its test cases pass'
complete -c moss -n "__fish_moss_needs_command" -f -a "test-worker" -d 'Test one MOSS file and print its report as JSON (what `moss test` runs per file)'
complete -c moss -n "__fish_moss_needs_command" -f -a "device" -d 'Find Sphero BOLTs nearby, or ask one for its battery and firmware'
complete -c moss -n "__fish_moss_needs_command" -f -a "context" -d 'Read and edit a MOSS file\'s saved context'
complete -c moss -n "__fish_moss_needs_command" -f -a "log" -d 'Show the run journal: what the last runs of `moss exec` did, failed ones included'
complete -c moss -n "__fish_moss_needs_command" -f -a "config" -d 'Show the configuration that applies to a MOSS file, and where each value came from'
complete -c moss -n "__fish_moss_needs_command" -f -a "serve" -d 'Keep a MOSS file warm: runs of `moss exec` on it start in milliseconds'
complete -c moss -n "__fish_moss_needs_command" -f -a "python" -d 'Run the embedded Python with the packages moss ships importable, like `python`'
complete -c moss -n "__fish_moss_needs_command" -f -a "stubs" -d 'Write the packages moss ships as typed sources, for editors and type checkers'
complete -c moss -n "__fish_moss_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c moss -n "__fish_moss_needs_command" -f -a "man" -d 'Print the manual page (roff), as in docs/moss.1'
complete -c moss -n "__fish_moss_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c moss -n "__fish_moss_using_subcommand prompt" -l task -d 'Print the whole turn prompt: instructions, the module, the last run from the journal, then TEXT' -r
complete -c moss -n "__fish_moss_using_subcommand prompt" -l task-file -d 'As --task, with the task read from a file, or - for standard input' -r
complete -c moss -n "__fish_moss_using_subcommand prompt" -l target -d 'The name the model\'s code must define, as `moss exec --target` will call it (default: main)' -r
complete -c moss -n "__fish_moss_using_subcommand prompt" -l tool-schema -d 'Print the JSON Schema of a `moss` tool whose one parameter, `code`, is the Python to run, wrapped as FORMAT\'s API declares tools (default: openai)' -r -f -a "openai\t'`{"type": "function", "function": {"name", "description", "parameters"}}` (also for OpenAI-compatible servers)'
anthropic\t'`{"name", "description", "input_schema"}`'"
complete -c moss -n "__fish_moss_using_subcommand prompt" -l context -d 'The context whose saved properties `moss` starts with (default: the MOSS file\'s own)' -r -F
complete -c moss -n "__fish_moss_using_subcommand prompt" -l max-tokens -d 'Fail (exit 1) naming the biggest sections when the prompt has more than N tokens' -r
complete -c moss -n "__fish_moss_using_subcommand prompt" -l timeout -d 'Stop after this many seconds (exit 124; in `moss test` the case fails, by default after 60) [env: MOSS_TIMEOUT]' -r
complete -c moss -n "__fish_moss_using_subcommand prompt" -l device -d 'The robot to bind to `Ball` and `LedMatrix`: `sim` (`sim:NAME`, `sim?drop=SECS`) for the simulated BOLT, or `bolt`, a BOLT\'s name (SB-1A2B) or address [env: MOSS_DEVICE]' -r
complete -c moss -n "__fish_moss_using_subcommand prompt" -l allow-import -d 'Let the code import only these modules (comma-separated; \'\' for none): others raise ImportError. `moss prompt` states the rule at the end of the prompt; `moss test` applies it to every case' -r
complete -c moss -n "__fish_moss_using_subcommand prompt" -l max-memory -d 'Limit the run\'s memory to SIZE (e.g. 300M): allocations beyond it raise MemoryError (in `moss test`, of each case)' -r
complete -c moss -n "__fish_moss_using_subcommand prompt" -l allow-write -d 'With --sandbox, let the code write under PATH too (repeatable)' -r -F
complete -c moss -n "__fish_moss_using_subcommand prompt" -l color -d 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c moss -n "__fish_moss_using_subcommand prompt" -l json -d 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)'
complete -c moss -n "__fish_moss_using_subcommand prompt" -l stats -d 'Print a token count per section and the total on stderr'
complete -c moss -n "__fish_moss_using_subcommand prompt" -l sandbox -d 'Confine the code with Landlock: writes only under the current folder, the context\'s folder and a private TMPDIR; no TCP connect or bind. A blocked action raises PermissionError'
complete -c moss -n "__fish_moss_using_subcommand prompt" -l allow-net -d 'With --sandbox, let the code open TCP connections and listen on ports'
complete -c moss -n "__fish_moss_using_subcommand prompt" -s q -l quiet -d 'Print no warnings, only errors'
complete -c moss -n "__fish_moss_using_subcommand prompt" -s v -l verbose -d 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
complete -c moss -n "__fish_moss_using_subcommand prompt" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c moss -n "__fish_moss_using_subcommand exec" -l code -d 'The model\'s reply holding the code: a file, or - to read standard input' -r
complete -c moss -n "__fish_moss_using_subcommand exec" -l code-format -d 'How to find the code in the reply: plain Python, Markdown fences or <code> tags, or a tool call\'s JSON' -r -f -a "auto\t'Detect: JSON (a tool call, or a model API\'s answer), else Python that compiles, else Markdown or <code> tags'
python\t'The reply is the code, as it is'
markdown\t'Fenced blocks (python, py, python3, ipython; else unlabelled ones) or <code> tags, with prose around them'
json\t'A model API\'s answer: the code of its tool calls ({"code": ...}, OpenAI\'s tool_calls, the Responses API\'s function_call, Ollama\'s tool calls, Anthropic\'s tool_use), else its message\'s text read as a reply of its own'"
complete -c moss -n "__fish_moss_using_subcommand exec" -l target -d 'The module-level name to call (or return, when it is not callable) after the code ran' -r
complete -c moss -n "__fish_moss_using_subcommand exec" -l arg -d 'A module-level name whose value is passed to the target; repeat in call order. Without it, a target taking a positional parameter receives `moss`' -r
complete -c moss -n "__fish_moss_using_subcommand exec" -l context -d 'The context file to load and save (default: .moss/<name>.context.json beside the MOSS file) [env: MOSS_CONTEXT]' -r -F
complete -c moss -n "__fish_moss_using_subcommand exec" -l timeout -d 'Stop after this many seconds (exit 124; in `moss test` the case fails, by default after 60) [env: MOSS_TIMEOUT]' -r
complete -c moss -n "__fish_moss_using_subcommand exec" -l max-output -d 'Keep at most SIZE of stdout and of stderr for the result (the first and last halves; default 1M; in `moss test`, of each case)' -r
complete -c moss -n "__fish_moss_using_subcommand exec" -l max-memory -d 'Limit the run\'s memory to SIZE (e.g. 300M): allocations beyond it raise MemoryError (in `moss test`, of each case)' -r
complete -c moss -n "__fish_moss_using_subcommand exec" -l allow-import -d 'Let the code import only these modules (comma-separated; \'\' for none): others raise ImportError. `moss prompt` states the rule at the end of the prompt; `moss test` applies it to every case' -r
complete -c moss -n "__fish_moss_using_subcommand exec" -l allow-write -d 'With --sandbox, let the code write under PATH too (repeatable)' -r -F
complete -c moss -n "__fish_moss_using_subcommand exec" -l device -d 'The robot to bind to `Ball` and `LedMatrix`: `sim` (`sim:NAME`, `sim?drop=SECS`) for the simulated BOLT, or `bolt`, a BOLT\'s name (SB-1A2B) or address [env: MOSS_DEVICE]' -r
complete -c moss -n "__fish_moss_using_subcommand exec" -l device-trace -d 'Write every packet to and from the device to PATH, one JSON object per line' -r -F
complete -c moss -n "__fish_moss_using_subcommand exec" -l device-png -d 'With the simulated BOLT, write its final LED matrix and the path it travelled as a PNG' -r -F
complete -c moss -n "__fish_moss_using_subcommand exec" -l color -d 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c moss -n "__fish_moss_using_subcommand exec" -l no-context -d 'Load and save no context: every property starts at its default'
complete -c moss -n "__fish_moss_using_subcommand exec" -l json -d 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)'
complete -c moss -n "__fish_moss_using_subcommand exec" -l sandbox -d 'Confine the code with Landlock: writes only under the current folder, the context\'s folder and a private TMPDIR; no TCP connect or bind. A blocked action raises PermissionError'
complete -c moss -n "__fish_moss_using_subcommand exec" -l allow-net -d 'With --sandbox, let the code open TCP connections and listen on ports'
complete -c moss -n "__fish_moss_using_subcommand exec" -l warm -d 'Run on the MOSS file\'s warm server, starting one in the background if none is up (it stops after 15 idle minutes) [env: MOSS_WARM=1]'
complete -c moss -n "__fish_moss_using_subcommand exec" -l cold -d 'Run cold even when a warm server for the MOSS file is up'
complete -c moss -n "__fish_moss_using_subcommand exec" -s q -l quiet -d 'Print no warnings, only errors'
complete -c moss -n "__fish_moss_using_subcommand exec" -s v -l verbose -d 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
complete -c moss -n "__fish_moss_using_subcommand exec" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c moss -n "__fish_moss_using_subcommand test" -s j -l jobs -d 'How many files to test at once (default: the number of cores)' -r
complete -c moss -n "__fish_moss_using_subcommand test" -l timeout -d 'Stop after this many seconds (exit 124; in `moss test` the case fails, by default after 60) [env: MOSS_TIMEOUT]' -r
complete -c moss -n "__fish_moss_using_subcommand test" -l junit -d 'Write a JUnit XML report to PATH' -r -F
complete -c moss -n "__fish_moss_using_subcommand test" -s k -d 'Run only the cases whose `path::case` contains PATTERN' -r
complete -c moss -n "__fish_moss_using_subcommand test" -l device -d 'The robot to bind to `Ball` and `LedMatrix`: `sim` (`sim:NAME`, `sim?drop=SECS`) for the simulated BOLT, or `bolt`, a BOLT\'s name (SB-1A2B) or address [env: MOSS_DEVICE]' -r
complete -c moss -n "__fish_moss_using_subcommand test" -l shard -d 'Test only shard K of N: the files split by a hash of their path, the same way every time' -r
complete -c moss -n "__fish_moss_using_subcommand test" -l context -d 'With --replay: the context file whose journal to replay, for runs made with `moss exec --context` (one MOSS file)' -r -F
complete -c moss -n "__fish_moss_using_subcommand test" -l allow-write -d 'With --sandbox, let the code write under PATH too (repeatable)' -r -F
complete -c moss -n "__fish_moss_using_subcommand test" -l max-memory -d 'Limit the run\'s memory to SIZE (e.g. 300M): allocations beyond it raise MemoryError (in `moss test`, of each case)' -r
complete -c moss -n "__fish_moss_using_subcommand test" -l max-output -d 'Keep at most SIZE of stdout and of stderr for the result (the first and last halves; default 1M; in `moss test`, of each case)' -r
complete -c moss -n "__fish_moss_using_subcommand test" -l allow-import -d 'Let the code import only these modules (comma-separated; \'\' for none): others raise ImportError. `moss prompt` states the rule at the end of the prompt; `moss test` applies it to every case' -r
complete -c moss -n "__fish_moss_using_subcommand test" -l device-trace -d 'Write the packets of each case\'s device to a file of its own in DIR (created if missing): `<file>.<case>.jsonl`, one JSON object per line' -r -F
complete -c moss -n "__fish_moss_using_subcommand test" -l color -d 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c moss -n "__fish_moss_using_subcommand test" -l json -d 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)'
complete -c moss -n "__fish_moss_using_subcommand test" -s x -l exitfirst -d 'Stop at the first failure'
complete -c moss -n "__fish_moss_using_subcommand test" -l replay -d 'Re-run the successful runs in each file\'s journal against the file as it is now; saves nothing'
complete -c moss -n "__fish_moss_using_subcommand test" -l only-moss-files -d 'Of the files named, test only MOSS files, and pass when none is (for pre-commit hooks)'
complete -c moss -n "__fish_moss_using_subcommand test" -l sandbox -d 'Confine the code with Landlock: writes only under the current folder, the context\'s folder and a private TMPDIR; no TCP connect or bind. A blocked action raises PermissionError'
complete -c moss -n "__fish_moss_using_subcommand test" -l allow-net -d 'With --sandbox, let the code open TCP connections and listen on ports'
complete -c moss -n "__fish_moss_using_subcommand test" -s q -l quiet -d 'Print no warnings, only errors'
complete -c moss -n "__fish_moss_using_subcommand test" -s v -l verbose -d 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
complete -c moss -n "__fish_moss_using_subcommand test" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c moss -n "__fish_moss_using_subcommand test-worker" -l job -d 'How to test it, as `moss test` hands it over: one JSON word' -r
complete -c moss -n "__fish_moss_using_subcommand test-worker" -l color -d 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c moss -n "__fish_moss_using_subcommand test-worker" -s q -l quiet -d 'Print no warnings, only errors'
complete -c moss -n "__fish_moss_using_subcommand test-worker" -s v -l verbose -d 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
complete -c moss -n "__fish_moss_using_subcommand test-worker" -s h -l help -d 'Print help'
complete -c moss -n "__fish_moss_using_subcommand device; and not __fish_seen_subcommand_from scan info help" -l color -d 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c moss -n "__fish_moss_using_subcommand device; and not __fish_seen_subcommand_from scan info help" -s q -l quiet -d 'Print no warnings, only errors'
complete -c moss -n "__fish_moss_using_subcommand device; and not __fish_seen_subcommand_from scan info help" -s v -l verbose -d 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
complete -c moss -n "__fish_moss_using_subcommand device; and not __fish_seen_subcommand_from scan info help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c moss -n "__fish_moss_using_subcommand device; and not __fish_seen_subcommand_from scan info help" -f -a "scan" -d 'List the BOLTs advertising nearby: name, address, signal strength'
complete -c moss -n "__fish_moss_using_subcommand device; and not __fish_seen_subcommand_from scan info help" -f -a "info" -d 'Connect to a device and print its battery and firmware version'
complete -c moss -n "__fish_moss_using_subcommand device; and not __fish_seen_subcommand_from scan info help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c moss -n "__fish_moss_using_subcommand device; and __fish_seen_subcommand_from scan" -l timeout -d 'How long to listen' -r
complete -c moss -n "__fish_moss_using_subcommand device; and __fish_seen_subcommand_from scan" -l color -d 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c moss -n "__fish_moss_using_subcommand device; and __fish_seen_subcommand_from scan" -s q -l quiet -d 'Print no warnings, only errors'
complete -c moss -n "__fish_moss_using_subcommand device; and __fish_seen_subcommand_from scan" -s v -l verbose -d 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
complete -c moss -n "__fish_moss_using_subcommand device; and __fish_seen_subcommand_from scan" -s h -l help -d 'Print help'
complete -c moss -n "__fish_moss_using_subcommand device; and __fish_seen_subcommand_from info" -l device -d '`sim`, `bolt` (the first found), a name (SB-1A2B) or an address' -r
complete -c moss -n "__fish_moss_using_subcommand device; and __fish_seen_subcommand_from info" -l color -d 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c moss -n "__fish_moss_using_subcommand device; and __fish_seen_subcommand_from info" -s q -l quiet -d 'Print no warnings, only errors'
complete -c moss -n "__fish_moss_using_subcommand device; and __fish_seen_subcommand_from info" -s v -l verbose -d 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
complete -c moss -n "__fish_moss_using_subcommand device; and __fish_seen_subcommand_from info" -s h -l help -d 'Print help'
complete -c moss -n "__fish_moss_using_subcommand device; and __fish_seen_subcommand_from help" -f -a "scan" -d 'List the BOLTs advertising nearby: name, address, signal strength'
complete -c moss -n "__fish_moss_using_subcommand device; and __fish_seen_subcommand_from help" -f -a "info" -d 'Connect to a device and print its battery and firmware version'
complete -c moss -n "__fish_moss_using_subcommand device; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c moss -n "__fish_moss_using_subcommand context; and not __fish_seen_subcommand_from show get set unset reset path help" -l color -d 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c moss -n "__fish_moss_using_subcommand context; and not __fish_seen_subcommand_from show get set unset reset path help" -s q -l quiet -d 'Print no warnings, only errors'
complete -c moss -n "__fish_moss_using_subcommand context; and not __fish_seen_subcommand_from show get set unset reset path help" -s v -l verbose -d 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
complete -c moss -n "__fish_moss_using_subcommand context; and not __fish_seen_subcommand_from show get set unset reset path help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c moss -n "__fish_moss_using_subcommand context; and not __fish_seen_subcommand_from show get set unset reset path help" -f -a "show" -d 'Print every saved property (`name = value`, or one JSON object `{name: value}` with --json)'
complete -c moss -n "__fish_moss_using_subcommand context; and not __fish_seen_subcommand_from show get set unset reset path help" -f -a "get" -d 'Print one saved property as JSON (with --json: `{"ok", "path", "name", "value"}`)'
complete -c moss -n "__fish_moss_using_subcommand context; and not __fish_seen_subcommand_from show get set unset reset path help" -f -a "set" -d 'Save one property: NAME then a JSON value (quote strings: \'"text"\')'
complete -c moss -n "__fish_moss_using_subcommand context; and not __fish_seen_subcommand_from show get set unset reset path help" -f -a "unset" -d 'Remove one saved property; it falls back to its default'
complete -c moss -n "__fish_moss_using_subcommand context; and not __fish_seen_subcommand_from show get set unset reset path help" -f -a "reset" -d 'Remove every saved property and the last code; the run journal stays unless --journal'
complete -c moss -n "__fish_moss_using_subcommand context; and not __fish_seen_subcommand_from show get set unset reset path help" -f -a "path" -d 'Print the context file\'s path'
complete -c moss -n "__fish_moss_using_subcommand context; and not __fish_seen_subcommand_from show get set unset reset path help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from show" -l context -d 'The context file itself, instead of a MOSS file' -r -F
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from show" -l color -d 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from show" -l json -d 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print no warnings, only errors'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from get" -l context -d 'The context file itself, instead of a MOSS file' -r -F
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from get" -l color -d 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from get" -l json -d 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from get" -s q -l quiet -d 'Print no warnings, only errors'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from get" -s v -l verbose -d 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from get" -s h -l help -d 'Print help'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from set" -l context -d 'The context file itself, instead of a MOSS file' -r -F
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from set" -l color -d 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from set" -l json -d 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from set" -s q -l quiet -d 'Print no warnings, only errors'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from set" -s v -l verbose -d 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from unset" -l context -d 'The context file itself, instead of a MOSS file' -r -F
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from unset" -l color -d 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from unset" -l json -d 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from unset" -s q -l quiet -d 'Print no warnings, only errors'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from unset" -s v -l verbose -d 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from unset" -s h -l help -d 'Print help'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from reset" -l context -d 'The context file itself, instead of a MOSS file' -r -F
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from reset" -l color -d 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from reset" -l json -d 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from reset" -l journal -d 'Delete the run journal (`<stem>.runs.jsonl`) too'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from reset" -s q -l quiet -d 'Print no warnings, only errors'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from reset" -s v -l verbose -d 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from reset" -s h -l help -d 'Print help'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from path" -l context -d 'The context file itself, instead of a MOSS file' -r -F
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from path" -l color -d 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from path" -l json -d 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from path" -s q -l quiet -d 'Print no warnings, only errors'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from path" -s v -l verbose -d 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from path" -s h -l help -d 'Print help'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print every saved property (`name = value`, or one JSON object `{name: value}` with --json)'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from help" -f -a "get" -d 'Print one saved property as JSON (with --json: `{"ok", "path", "name", "value"}`)'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from help" -f -a "set" -d 'Save one property: NAME then a JSON value (quote strings: \'"text"\')'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from help" -f -a "unset" -d 'Remove one saved property; it falls back to its default'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from help" -f -a "reset" -d 'Remove every saved property and the last code; the run journal stays unless --journal'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from help" -f -a "path" -d 'Print the context file\'s path'
complete -c moss -n "__fish_moss_using_subcommand context; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c moss -n "__fish_moss_using_subcommand log" -l context -d 'The context file whose journal to show, instead of the MOSS file\'s default one (with --pin, the runs of this journal are pinned beside FILE.py)' -r -F
complete -c moss -n "__fish_moss_using_subcommand log" -s n -l last -d 'Show the last N runs' -r
complete -c moss -n "__fish_moss_using_subcommand log" -l pin -d 'Pin run N (as numbered here) as a case that `moss test` runs: `<stem>.pinned/<time>.json`' -r
complete -c moss -n "__fish_moss_using_subcommand log" -l color -d 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c moss -n "__fish_moss_using_subcommand log" -l json -d 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)'
complete -c moss -n "__fish_moss_using_subcommand log" -s q -l quiet -d 'Print no warnings, only errors'
complete -c moss -n "__fish_moss_using_subcommand log" -s v -l verbose -d 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
complete -c moss -n "__fish_moss_using_subcommand log" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c moss -n "__fish_moss_using_subcommand config" -l color -d 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c moss -n "__fish_moss_using_subcommand config" -l json -d 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)'
complete -c moss -n "__fish_moss_using_subcommand config" -s q -l quiet -d 'Print no warnings, only errors'
complete -c moss -n "__fish_moss_using_subcommand config" -s v -l verbose -d 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
complete -c moss -n "__fish_moss_using_subcommand config" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c moss -n "__fish_moss_using_subcommand serve" -l idle-timeout -d 'Stop after this many seconds without a run (default: never)' -r
complete -c moss -n "__fish_moss_using_subcommand serve" -l color -d 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c moss -n "__fish_moss_using_subcommand serve" -l stop -d 'Stop the server of FILE.py instead of starting one'
complete -c moss -n "__fish_moss_using_subcommand serve" -s q -l quiet -d 'Print no warnings, only errors'
complete -c moss -n "__fish_moss_using_subcommand serve" -s v -l verbose -d 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
complete -c moss -n "__fish_moss_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c moss -n "__fish_moss_using_subcommand python" -l color -d 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c moss -n "__fish_moss_using_subcommand python" -s q -l quiet -d 'Print no warnings, only errors'
complete -c moss -n "__fish_moss_using_subcommand python" -s v -l verbose -d 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
complete -c moss -n "__fish_moss_using_subcommand stubs" -l color -d 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c moss -n "__fish_moss_using_subcommand stubs" -s q -l quiet -d 'Print no warnings, only errors'
complete -c moss -n "__fish_moss_using_subcommand stubs" -s v -l verbose -d 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
complete -c moss -n "__fish_moss_using_subcommand stubs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c moss -n "__fish_moss_using_subcommand completions" -l color -d 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c moss -n "__fish_moss_using_subcommand completions" -s q -l quiet -d 'Print no warnings, only errors'
complete -c moss -n "__fish_moss_using_subcommand completions" -s v -l verbose -d 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
complete -c moss -n "__fish_moss_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c moss -n "__fish_moss_using_subcommand man" -l color -d 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c moss -n "__fish_moss_using_subcommand man" -s q -l quiet -d 'Print no warnings, only errors'
complete -c moss -n "__fish_moss_using_subcommand man" -s v -l verbose -d 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
complete -c moss -n "__fish_moss_using_subcommand man" -s h -l help -d 'Print help'
complete -c moss -n "__fish_moss_using_subcommand help; and not __fish_seen_subcommand_from prompt exec test test-worker device context log config serve python stubs completions man help" -f -a "prompt" -d 'Print the prompt a model reads before writing code for a MOSS file'
complete -c moss -n "__fish_moss_using_subcommand help; and not __fish_seen_subcommand_from prompt exec test test-worker device context log config serve python stubs completions man help" -f -a "exec" -d 'Run generated code inside a MOSS file and save what it stored on `moss`'
complete -c moss -n "__fish_moss_using_subcommand help; and not __fish_seen_subcommand_from prompt exec test test-worker device context log config serve python stubs completions man help" -f -a "test" -d 'Check MOSS files: each compiles, its prompt builds, and its test cases pass'
complete -c moss -n "__fish_moss_using_subcommand help; and not __fish_seen_subcommand_from prompt exec test test-worker device context log config serve python stubs completions man help" -f -a "test-worker" -d 'Test one MOSS file and print its report as JSON (what `moss test` runs per file)'
complete -c moss -n "__fish_moss_using_subcommand help; and not __fish_seen_subcommand_from prompt exec test test-worker device context log config serve python stubs completions man help" -f -a "device" -d 'Find Sphero BOLTs nearby, or ask one for its battery and firmware'
complete -c moss -n "__fish_moss_using_subcommand help; and not __fish_seen_subcommand_from prompt exec test test-worker device context log config serve python stubs completions man help" -f -a "context" -d 'Read and edit a MOSS file\'s saved context'
complete -c moss -n "__fish_moss_using_subcommand help; and not __fish_seen_subcommand_from prompt exec test test-worker device context log config serve python stubs completions man help" -f -a "log" -d 'Show the run journal: what the last runs of `moss exec` did, failed ones included'
complete -c moss -n "__fish_moss_using_subcommand help; and not __fish_seen_subcommand_from prompt exec test test-worker device context log config serve python stubs completions man help" -f -a "config" -d 'Show the configuration that applies to a MOSS file, and where each value came from'
complete -c moss -n "__fish_moss_using_subcommand help; and not __fish_seen_subcommand_from prompt exec test test-worker device context log config serve python stubs completions man help" -f -a "serve" -d 'Keep a MOSS file warm: runs of `moss exec` on it start in milliseconds'
complete -c moss -n "__fish_moss_using_subcommand help; and not __fish_seen_subcommand_from prompt exec test test-worker device context log config serve python stubs completions man help" -f -a "python" -d 'Run the embedded Python with the packages moss ships importable, like `python`'
complete -c moss -n "__fish_moss_using_subcommand help; and not __fish_seen_subcommand_from prompt exec test test-worker device context log config serve python stubs completions man help" -f -a "stubs" -d 'Write the packages moss ships as typed sources, for editors and type checkers'
complete -c moss -n "__fish_moss_using_subcommand help; and not __fish_seen_subcommand_from prompt exec test test-worker device context log config serve python stubs completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c moss -n "__fish_moss_using_subcommand help; and not __fish_seen_subcommand_from prompt exec test test-worker device context log config serve python stubs completions man help" -f -a "man" -d 'Print the manual page (roff), as in docs/moss.1'
complete -c moss -n "__fish_moss_using_subcommand help; and not __fish_seen_subcommand_from prompt exec test test-worker device context log config serve python stubs completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c moss -n "__fish_moss_using_subcommand help; and __fish_seen_subcommand_from device" -f -a "scan" -d 'List the BOLTs advertising nearby: name, address, signal strength'
complete -c moss -n "__fish_moss_using_subcommand help; and __fish_seen_subcommand_from device" -f -a "info" -d 'Connect to a device and print its battery and firmware version'
complete -c moss -n "__fish_moss_using_subcommand help; and __fish_seen_subcommand_from context" -f -a "show" -d 'Print every saved property (`name = value`, or one JSON object `{name: value}` with --json)'
complete -c moss -n "__fish_moss_using_subcommand help; and __fish_seen_subcommand_from context" -f -a "get" -d 'Print one saved property as JSON (with --json: `{"ok", "path", "name", "value"}`)'
complete -c moss -n "__fish_moss_using_subcommand help; and __fish_seen_subcommand_from context" -f -a "set" -d 'Save one property: NAME then a JSON value (quote strings: \'"text"\')'
complete -c moss -n "__fish_moss_using_subcommand help; and __fish_seen_subcommand_from context" -f -a "unset" -d 'Remove one saved property; it falls back to its default'
complete -c moss -n "__fish_moss_using_subcommand help; and __fish_seen_subcommand_from context" -f -a "reset" -d 'Remove every saved property and the last code; the run journal stays unless --journal'
complete -c moss -n "__fish_moss_using_subcommand help; and __fish_seen_subcommand_from context" -f -a "path" -d 'Print the context file\'s path'
