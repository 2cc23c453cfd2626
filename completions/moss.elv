
use builtin;
use str;

set edit:completion:arg-completer[moss] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'moss'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'moss'= {
            cand --color 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set'
            cand -q 'Print no warnings, only errors'
            cand --quiet 'Print no warnings, only errors'
            cand -v 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand --verbose 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand prompt 'Print the prompt a model reads before writing code for a MOSS file'
            cand exec 'Run generated code inside a MOSS file and save what it stored on `moss`'
            cand test 'Check MOSS files: each compiles, its prompt builds, and its test cases pass'
            cand test-worker 'Test one MOSS file and print its report as JSON (what `moss test` runs per file)'
            cand device 'Find Sphero BOLTs nearby, or ask one for its battery and firmware'
            cand context 'Read and edit a MOSS file''s saved context'
            cand log 'Show the run journal: what the last runs of `moss exec` did, failed ones included'
            cand config 'Show the configuration that applies to a MOSS file, and where each value came from'
            cand serve 'Keep a MOSS file warm: runs of `moss exec` on it start in milliseconds'
            cand python 'Run the embedded Python with the packages moss ships importable, like `python`'
            cand stubs 'Write the packages moss ships as typed sources, for editors and type checkers'
            cand completions 'Print a shell completion script'
            cand man 'Print the manual page (roff), as in docs/moss.1'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'moss;prompt'= {
            cand --task 'Print the whole turn prompt: instructions, the module, the last run from the journal, then TEXT'
            cand --task-file 'As --task, with the task read from a file, or - for standard input'
            cand --target 'The name the model''s code must define, as `moss exec --target` will call it (default: main)'
            cand --tool-schema 'Print the JSON Schema of a `moss` tool whose one parameter, `code`, is the Python to run, wrapped as FORMAT''s API declares tools (default: openai)'
            cand --context 'The context whose saved properties `moss` starts with (default: the MOSS file''s own)'
            cand --max-tokens 'Fail (exit 1) naming the biggest sections when the prompt has more than N tokens'
            cand --timeout 'Stop after this many seconds (exit 124; in `moss test` the case fails, by default after 60) [env: MOSS_TIMEOUT]'
            cand --device 'The robot to bind to `Ball` and `LedMatrix`: `sim` (`sim:NAME`, `sim?drop=SECS`) for the simulated BOLT, or `bolt`, a BOLT''s name (SB-1A2B) or address [env: MOSS_DEVICE]'
            cand --allow-import 'Let the code import only these modules (comma-separated; '''' for none): others raise ImportError. `moss prompt` states the rule at the end of the prompt; `moss test` applies it to every case'
            cand --max-memory 'Limit the run''s memory to SIZE (e.g. 300M): allocations beyond it raise MemoryError (in `moss test`, of each case)'
            cand --allow-write 'With --sandbox, let the code write under PATH too (repeatable)'
            cand --color 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set'
            cand --json 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)'
            cand --stats 'Print a token count per section and the total on stderr'
            cand --sandbox 'Confine the code with Landlock: writes only under the current folder, the context''s folder and a private TMPDIR; no TCP connect or bind. A blocked action raises PermissionError'
            cand --allow-net 'With --sandbox, let the code open TCP connections and listen on ports'
            cand -q 'Print no warnings, only errors'
            cand --quiet 'Print no warnings, only errors'
            cand -v 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand --verbose 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'moss;exec'= {
            cand --code 'The model''s reply holding the code: a file, or - to read standard input'
            cand --code-format 'How to find the code in the reply: plain Python, Markdown fences or <code> tags, or a tool call''s JSON'
            cand --target 'The module-level name to call (or return, when it is not callable) after the code ran'
            cand --arg 'A module-level name whose value is passed to the target; repeat in call order. Without it, a target taking a positional parameter receives `moss`'
            cand --context 'The context file to load and save (default: .moss/<name>.context.json beside the MOSS file) [env: MOSS_CONTEXT]'
            cand --timeout 'Stop after this many seconds (exit 124; in `moss test` the case fails, by default after 60) [env: MOSS_TIMEOUT]'
            cand --max-output 'Keep at most SIZE of stdout and of stderr for the result (the first and last halves; default 1M; in `moss test`, of each case)'
            cand --max-memory 'Limit the run''s memory to SIZE (e.g. 300M): allocations beyond it raise MemoryError (in `moss test`, of each case)'
            cand --allow-import 'Let the code import only these modules (comma-separated; '''' for none): others raise ImportError. `moss prompt` states the rule at the end of the prompt; `moss test` applies it to every case'
            cand --allow-write 'With --sandbox, let the code write under PATH too (repeatable)'
            cand --device 'The robot to bind to `Ball` and `LedMatrix`: `sim` (`sim:NAME`, `sim?drop=SECS`) for the simulated BOLT, or `bolt`, a BOLT''s name (SB-1A2B) or address [env: MOSS_DEVICE]'
            cand --device-trace 'Write every packet to and from the device to PATH, one JSON object per line'
            cand --device-png 'With the simulated BOLT, write its final LED matrix and the path it travelled as a PNG'
            cand --color 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set'
            cand --no-context 'Load and save no context: every property starts at its default'
            cand --json 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)'
            cand --sandbox 'Confine the code with Landlock: writes only under the current folder, the context''s folder and a private TMPDIR; no TCP connect or bind. A blocked action raises PermissionError'
            cand --allow-net 'With --sandbox, let the code open TCP connections and listen on ports'
            cand --warm 'Run on the MOSS file''s warm server, starting one in the background if none is up (it stops after 15 idle minutes) [env: MOSS_WARM=1]'
            cand --cold 'Run cold even when a warm server for the MOSS file is up'
            cand -q 'Print no warnings, only errors'
            cand --quiet 'Print no warnings, only errors'
            cand -v 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand --verbose 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'moss;test'= {
            cand -j 'How many files to test at once (default: the number of cores)'
            cand --jobs 'How many files to test at once (default: the number of cores)'
            cand --timeout 'Stop after this many seconds (exit 124; in `moss test` the case fails, by default after 60) [env: MOSS_TIMEOUT]'
            cand --junit 'Write a JUnit XML report to PATH'
            cand -k 'Run only the cases whose `path::case` contains PATTERN'
            cand --device 'The robot to bind to `Ball` and `LedMatrix`: `sim` (`sim:NAME`, `sim?drop=SECS`) for the simulated BOLT, or `bolt`, a BOLT''s name (SB-1A2B) or address [env: MOSS_DEVICE]'
            cand --shard 'Test only shard K of N: the files split by a hash of their path, the same way every time'
            cand --context 'With --replay: the context file whose journal to replay, for runs made with `moss exec --context` (one MOSS file)'
            cand --allow-write 'With --sandbox, let the code write under PATH too (repeatable)'
            cand --max-memory 'Limit the run''s memory to SIZE (e.g. 300M): allocations beyond it raise MemoryError (in `moss test`, of each case)'
            cand --max-output 'Keep at most SIZE of stdout and of stderr for the result (the first and last halves; default 1M; in `moss test`, of each case)'
            cand --allow-import 'Let the code import only these modules (comma-separated; '''' for none): others raise ImportError. `moss prompt` states the rule at the end of the prompt; `moss test` applies it to every case'
            cand --device-trace 'Write the packets of each case''s device to a file of its own in DIR (created if missing): `<file>.<case>.jsonl`, one JSON object per line'
            cand --color 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set'
            cand --json 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)'
            cand -x 'Stop at the first failure'
            cand --exitfirst 'Stop at the first failure'
            cand --replay 'Re-run the successful runs in each file''s journal against the file as it is now; saves nothing'
            cand --only-moss-files 'Of the files named, test only MOSS files, and pass when none is (for pre-commit hooks)'
            cand --sandbox 'Confine the code with Landlock: writes only under the current folder, the context''s folder and a private TMPDIR; no TCP connect or bind. A blocked action raises PermissionError'
            cand --allow-net 'With --sandbox, let the code open TCP connections and listen on ports'
            cand -q 'Print no warnings, only errors'
            cand --quiet 'Print no warnings, only errors'
            cand -v 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand --verbose 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'moss;test-worker'= {
            cand --job 'How to test it, as `moss test` hands it over: one JSON word'
            cand --color 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set'
            cand -q 'Print no warnings, only errors'
            cand --quiet 'Print no warnings, only errors'
            cand -v 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand --verbose 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'moss;device'= {
            cand --color 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set'
            cand -q 'Print no warnings, only errors'
            cand --quiet 'Print no warnings, only errors'
            cand -v 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand --verbose 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand scan 'List the BOLTs advertising nearby: name, address, signal strength'
            cand info 'Connect to a device and print its battery and firmware version'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'moss;device;scan'= {
            cand --timeout 'How long to listen'
            cand --color 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set'
            cand -q 'Print no warnings, only errors'
            cand --quiet 'Print no warnings, only errors'
            cand -v 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand --verbose 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'moss;device;info'= {
            cand --device '`sim`, `bolt` (the first found), a name (SB-1A2B) or an address'
            cand --color 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set'
            cand -q 'Print no warnings, only errors'
            cand --quiet 'Print no warnings, only errors'
            cand -v 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand --verbose 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'moss;device;help'= {
            cand scan 'List the BOLTs advertising nearby: name, address, signal strength'
            cand info 'Connect to a device and print its battery and firmware version'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'moss;device;help;scan'= {
        }
        &'moss;device;help;info'= {
        }
        &'moss;device;help;help'= {
        }
        &'moss;context'= {
            cand --color 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set'
            cand -q 'Print no warnings, only errors'
            cand --quiet 'Print no warnings, only errors'
            cand -v 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand --verbose 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand show 'Print every saved property (`name = value`, or one JSON object `{name: value}` with --json)'
            cand get 'Print one saved property as JSON (with --json: `{"ok", "path", "name", "value"}`)'
            cand set 'Save one property: NAME then a JSON value (quote strings: ''"text"'')'
            cand unset 'Remove one saved property; it falls back to its default'
            cand reset 'Remove every saved property and the last code; the run journal stays unless --journal'
            cand path 'Print the context file''s path'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'moss;context;show'= {
            cand --context 'The context file itself, instead of a MOSS file'
            cand --color 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set'
            cand --json 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)'
            cand -q 'Print no warnings, only errors'
            cand --quiet 'Print no warnings, only errors'
            cand -v 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand --verbose 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'moss;context;get'= {
            cand --context 'The context file itself, instead of a MOSS file'
            cand --color 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set'
            cand --json 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)'
            cand -q 'Print no warnings, only errors'
            cand --quiet 'Print no warnings, only errors'
            cand -v 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand --verbose 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'moss;context;set'= {
            cand --context 'The context file itself, instead of a MOSS file'
            cand --color 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set'
            cand --json 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)'
            cand -q 'Print no warnings, only errors'
            cand --quiet 'Print no warnings, only errors'
            cand -v 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand --verbose 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'moss;context;unset'= {
            cand --context 'The context file itself, instead of a MOSS file'
            cand --color 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set'
            cand --json 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)'
            cand -q 'Print no warnings, only errors'
            cand --quiet 'Print no warnings, only errors'
            cand -v 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand --verbose 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'moss;context;reset'= {
            cand --context 'The context file itself, instead of a MOSS file'
            cand --color 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set'
            cand --json 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)'
            cand --journal 'Delete the run journal (`<stem>.runs.jsonl`) too'
            cand -q 'Print no warnings, only errors'
            cand --quiet 'Print no warnings, only errors'
            cand -v 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand --verbose 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'moss;context;path'= {
            cand --context 'The context file itself, instead of a MOSS file'
            cand --color 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set'
            cand --json 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)'
            cand -q 'Print no warnings, only errors'
            cand --quiet 'Print no warnings, only errors'
            cand -v 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand --verbose 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'moss;context;help'= {
            cand show 'Print every saved property (`name = value`, or one JSON object `{name: value}` with --json)'
            cand get 'Print one saved property as JSON (with --json: `{"ok", "path", "name", "value"}`)'
            cand set 'Save one property: NAME then a JSON value (quote strings: ''"text"'')'
            cand unset 'Remove one saved property; it falls back to its default'
            cand reset 'Remove every saved property and the last code; the run journal stays unless --journal'
            cand path 'Print the context file''s path'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'moss;context;help;show'= {
        }
        &'moss;context;help;get'= {
        }
        &'moss;context;help;set'= {
        }
        &'moss;context;help;unset'= {
        }
        &'moss;context;help;reset'= {
        }
        &'moss;context;help;path'= {
        }
        &'moss;context;help;help'= {
        }
        &'moss;log'= {
            cand --context 'The context file whose journal to show, instead of the MOSS file''s default one (with --pin, the runs of this journal are pinned beside FILE.py)'
            cand -n 'Show the last N runs'
            cand --last 'Show the last N runs'
            cand --pin 'Pin run N (as numbered here) as a case that `moss test` runs: `<stem>.pinned/<time>.json`'
            cand --color 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set'
            cand --json 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)'
            cand -q 'Print no warnings, only errors'
            cand --quiet 'Print no warnings, only errors'
            cand -v 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand --verbose 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'moss;config'= {
            cand --color 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set'
            cand --json 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)'
            cand -q 'Print no warnings, only errors'
            cand --quiet 'Print no warnings, only errors'
            cand -v 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand --verbose 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'moss;serve'= {
            cand --idle-timeout 'Stop after this many seconds without a run (default: never)'
            cand --color 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set'
            cand --stop 'Stop the server of FILE.py instead of starting one'
            cand -q 'Print no warnings, only errors'
            cand --quiet 'Print no warnings, only errors'
            cand -v 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand --verbose 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'moss;python'= {
            cand --color 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set'
            cand -q 'Print no warnings, only errors'
            cand --quiet 'Print no warnings, only errors'
            cand -v 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand --verbose 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
        }
        &'moss;stubs'= {
            cand --color 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set'
            cand -q 'Print no warnings, only errors'
            cand --quiet 'Print no warnings, only errors'
            cand -v 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand --verbose 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'moss;completions'= {
            cand --color 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set'
            cand -q 'Print no warnings, only errors'
            cand --quiet 'Print no warnings, only errors'
            cand -v 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand --verbose 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'moss;man'= {
            cand --color 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set'
            cand -q 'Print no warnings, only errors'
            cand --quiet 'Print no warnings, only errors'
            cand -v 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand --verbose 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'moss;help'= {
            cand prompt 'Print the prompt a model reads before writing code for a MOSS file'
            cand exec 'Run generated code inside a MOSS file and save what it stored on `moss`'
            cand test 'Check MOSS files: each compiles, its prompt builds, and its test cases pass'
            cand test-worker 'Test one MOSS file and print its report as JSON (what `moss test` runs per file)'
            cand device 'Find Sphero BOLTs nearby, or ask one for its battery and firmware'
            cand context 'Read and edit a MOSS file''s saved context'
            cand log 'Show the run journal: what the last runs of `moss exec` did, failed ones included'
            cand config 'Show the configuration that applies to a MOSS file, and where each value came from'
            cand serve 'Keep a MOSS file warm: runs of `moss exec` on it start in milliseconds'
            cand python 'Run the embedded Python with the packages moss ships importable, like `python`'
            cand stubs 'Write the packages moss ships as typed sources, for editors and type checkers'
            cand completions 'Print a shell completion script'
            cand man 'Print the manual page (roff), as in docs/moss.1'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'moss;help;prompt'= {
        }
        &'moss;help;exec'= {
        }
        &'moss;help;test'= {
        }
        &'moss;help;test-worker'= {
        }
        &'moss;help;device'= {
            cand scan 'List the BOLTs advertising nearby: name, address, signal strength'
            cand info 'Connect to a device and print its battery and firmware version'
        }
        &'moss;help;device;scan'= {
        }
        &'moss;help;device;info'= {
        }
        &'moss;help;context'= {
            cand show 'Print every saved property (`name = value`, or one JSON object `{name: value}` with --json)'
            cand get 'Print one saved property as JSON (with --json: `{"ok", "path", "name", "value"}`)'
            cand set 'Save one property: NAME then a JSON value (quote strings: ''"text"'')'
            cand unset 'Remove one saved property; it falls back to its default'
            cand reset 'Remove every saved property and the last code; the run journal stays unless --journal'
            cand path 'Print the context file''s path'
        }
        &'moss;help;context;show'= {
        }
        &'moss;help;context;get'= {
        }
        &'moss;help;context;set'= {
        }
        &'moss;help;context;unset'= {
        }
        &'moss;help;context;reset'= {
        }
        &'moss;help;context;path'= {
        }
        &'moss;help;log'= {
        }
        &'moss;help;config'= {
        }
        &'moss;help;serve'= {
        }
        &'moss;help;python'= {
        }
        &'moss;help;stubs'= {
        }
        &'moss;help;completions'= {
        }
        &'moss;help;man'= {
        }
        &'moss;help;help'= {
        }
    ]
    $completions[$command]
}
