
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'moss' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'moss'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'moss' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('prompt', 'prompt', [CompletionResultType]::ParameterValue, 'Print the prompt a model reads before writing code for a MOSS file')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run generated code inside a MOSS file and save what it stored on `moss`')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Check MOSS files: each compiles, its prompt builds, and its test cases pass')
            [CompletionResult]::new('test-worker', 'test-worker', [CompletionResultType]::ParameterValue, 'Test one MOSS file and print its report as JSON (what `moss test` runs per file)')
            [CompletionResult]::new('device', 'device', [CompletionResultType]::ParameterValue, 'Find Sphero BOLTs nearby, or ask one for its battery and firmware')
            [CompletionResult]::new('context', 'context', [CompletionResultType]::ParameterValue, 'Read and edit a MOSS file''s saved context')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'Show the run journal: what the last runs of `moss exec` did, failed ones included')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show the configuration that applies to a MOSS file, and where each value came from')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Keep a MOSS file warm: runs of `moss exec` on it start in milliseconds')
            [CompletionResult]::new('python', 'python', [CompletionResultType]::ParameterValue, 'Run the embedded Python with the packages moss ships importable, like `python`')
            [CompletionResult]::new('stubs', 'stubs', [CompletionResultType]::ParameterValue, 'Write the packages moss ships as typed sources, for editors and type checkers')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the manual page (roff), as in docs/moss.1')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'moss;prompt' {
            [CompletionResult]::new('--task', '--task', [CompletionResultType]::ParameterName, 'Print the whole turn prompt: instructions, the module, the last run from the journal, then TEXT')
            [CompletionResult]::new('--task-file', '--task-file', [CompletionResultType]::ParameterName, 'As --task, with the task read from a file, or - for standard input')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'The name the model''s code must define, as `moss exec --target` will call it (default: main)')
            [CompletionResult]::new('--tool-schema', '--tool-schema', [CompletionResultType]::ParameterName, 'Print the JSON Schema of a `moss` tool whose one parameter, `code`, is the Python to run, wrapped as FORMAT''s API declares tools (default: openai)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context whose saved properties `moss` starts with (default: the MOSS file''s own)')
            [CompletionResult]::new('--max-tokens', '--max-tokens', [CompletionResultType]::ParameterName, 'Fail (exit 1) naming the biggest sections when the prompt has more than N tokens')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Stop after this many seconds (exit 124; in `moss test` the case fails, by default after 60) [env: MOSS_TIMEOUT]')
            [CompletionResult]::new('--device', '--device', [CompletionResultType]::ParameterName, 'The robot to bind to `Ball` and `LedMatrix`: `sim` (`sim:NAME`, `sim?drop=SECS`) for the simulated BOLT, or `bolt`, a BOLT''s name (SB-1A2B) or address [env: MOSS_DEVICE]')
            [CompletionResult]::new('--allow-import', '--allow-import', [CompletionResultType]::ParameterName, 'Let the code import only these modules (comma-separated; '''' for none): others raise ImportError. `moss prompt` states the rule at the end of the prompt; `moss test` applies it to every case')
            [CompletionResult]::new('--max-memory', '--max-memory', [CompletionResultType]::ParameterName, 'Limit the run''s memory to SIZE (e.g. 300M): allocations beyond it raise MemoryError (in `moss test`, of each case)')
            [CompletionResult]::new('--allow-write', '--allow-write', [CompletionResultType]::ParameterName, 'With --sandbox, let the code write under PATH too (repeatable)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)')
            [CompletionResult]::new('--stats', '--stats', [CompletionResultType]::ParameterName, 'Print a token count per section and the total on stderr')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Confine the code with Landlock: writes only under the current folder, the context''s folder and a private TMPDIR; no TCP connect or bind. A blocked action raises PermissionError')
            [CompletionResult]::new('--allow-net', '--allow-net', [CompletionResultType]::ParameterName, 'With --sandbox, let the code open TCP connections and listen on ports')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'moss;exec' {
            [CompletionResult]::new('--code', '--code', [CompletionResultType]::ParameterName, 'The model''s reply holding the code: a file, or - to read standard input')
            [CompletionResult]::new('--code-format', '--code-format', [CompletionResultType]::ParameterName, 'How to find the code in the reply: plain Python, Markdown fences or <code> tags, or a tool call''s JSON')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'The module-level name to call (or return, when it is not callable) after the code ran')
            [CompletionResult]::new('--arg', '--arg', [CompletionResultType]::ParameterName, 'A module-level name whose value is passed to the target; repeat in call order. Without it, a target taking a positional parameter receives `moss`')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context file to load and save (default: .moss/<name>.context.json beside the MOSS file) [env: MOSS_CONTEXT]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Stop after this many seconds (exit 124; in `moss test` the case fails, by default after 60) [env: MOSS_TIMEOUT]')
            [CompletionResult]::new('--max-output', '--max-output', [CompletionResultType]::ParameterName, 'Keep at most SIZE of stdout and of stderr for the result (the first and last halves; default 1M; in `moss test`, of each case)')
            [CompletionResult]::new('--max-memory', '--max-memory', [CompletionResultType]::ParameterName, 'Limit the run''s memory to SIZE (e.g. 300M): allocations beyond it raise MemoryError (in `moss test`, of each case)')
            [CompletionResult]::new('--allow-import', '--allow-import', [CompletionResultType]::ParameterName, 'Let the code import only these modules (comma-separated; '''' for none): others raise ImportError. `moss prompt` states the rule at the end of the prompt; `moss test` applies it to every case')
            [CompletionResult]::new('--allow-write', '--allow-write', [CompletionResultType]::ParameterName, 'With --sandbox, let the code write under PATH too (repeatable)')
            [CompletionResult]::new('--device', '--device', [CompletionResultType]::ParameterName, 'The robot to bind to `Ball` and `LedMatrix`: `sim` (`sim:NAME`, `sim?drop=SECS`) for the simulated BOLT, or `bolt`, a BOLT''s name (SB-1A2B) or address [env: MOSS_DEVICE]')
            [CompletionResult]::new('--device-trace', '--device-trace', [CompletionResultType]::ParameterName, 'Write every packet to and from the device to PATH, one JSON object per line')
            [CompletionResult]::new('--device-png', '--device-png', [CompletionResultType]::ParameterName, 'With the simulated BOLT, write its final LED matrix and the path it travelled as a PNG')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set')
            [CompletionResult]::new('--no-context', '--no-context', [CompletionResultType]::ParameterName, 'Load and save no context: every property starts at its default')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Confine the code with Landlock: writes only under the current folder, the context''s folder and a private TMPDIR; no TCP connect or bind. A blocked action raises PermissionError')
            [CompletionResult]::new('--allow-net', '--allow-net', [CompletionResultType]::ParameterName, 'With --sandbox, let the code open TCP connections and listen on ports')
            [CompletionResult]::new('--warm', '--warm', [CompletionResultType]::ParameterName, 'Run on the MOSS file''s warm server, starting one in the background if none is up (it stops after 15 idle minutes) [env: MOSS_WARM=1]')
            [CompletionResult]::new('--cold', '--cold', [CompletionResultType]::ParameterName, 'Run cold even when a warm server for the MOSS file is up')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'moss;test' {
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'How many files to test at once (default: the number of cores)')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'How many files to test at once (default: the number of cores)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Stop after this many seconds (exit 124; in `moss test` the case fails, by default after 60) [env: MOSS_TIMEOUT]')
            [CompletionResult]::new('--junit', '--junit', [CompletionResultType]::ParameterName, 'Write a JUnit XML report to PATH')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Run only the cases whose `path::case` contains PATTERN')
            [CompletionResult]::new('--device', '--device', [CompletionResultType]::ParameterName, 'The robot to bind to `Ball` and `LedMatrix`: `sim` (`sim:NAME`, `sim?drop=SECS`) for the simulated BOLT, or `bolt`, a BOLT''s name (SB-1A2B) or address [env: MOSS_DEVICE]')
            [CompletionResult]::new('--shard', '--shard', [CompletionResultType]::ParameterName, 'Test only shard K of N: the files split by a hash of their path, the same way every time')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'With --replay: the context file whose journal to replay, for runs made with `moss exec --context` (one MOSS file)')
            [CompletionResult]::new('--allow-write', '--allow-write', [CompletionResultType]::ParameterName, 'With --sandbox, let the code write under PATH too (repeatable)')
            [CompletionResult]::new('--max-memory', '--max-memory', [CompletionResultType]::ParameterName, 'Limit the run''s memory to SIZE (e.g. 300M): allocations beyond it raise MemoryError (in `moss test`, of each case)')
            [CompletionResult]::new('--max-output', '--max-output', [CompletionResultType]::ParameterName, 'Keep at most SIZE of stdout and of stderr for the result (the first and last halves; default 1M; in `moss test`, of each case)')
            [CompletionResult]::new('--allow-import', '--allow-import', [CompletionResultType]::ParameterName, 'Let the code import only these modules (comma-separated; '''' for none): others raise ImportError. `moss prompt` states the rule at the end of the prompt; `moss test` applies it to every case')
            [CompletionResult]::new('--device-trace', '--device-trace', [CompletionResultType]::ParameterName, 'Write the packets of each case''s device to a file of its own in DIR (created if missing): `<file>.<case>.jsonl`, one JSON object per line')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)')
            [CompletionResult]::new('-x', '-x', [CompletionResultType]::ParameterName, 'Stop at the first failure')
            [CompletionResult]::new('--exitfirst', '--exitfirst', [CompletionResultType]::ParameterName, 'Stop at the first failure')
            [CompletionResult]::new('--replay', '--replay', [CompletionResultType]::ParameterName, 'Re-run the successful runs in each file''s journal against the file as it is now; saves nothing')
            [CompletionResult]::new('--only-moss-files', '--only-moss-files', [CompletionResultType]::ParameterName, 'Of the files named, test only MOSS files, and pass when none is (for pre-commit hooks)')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Confine the code with Landlock: writes only under the current folder, the context''s folder and a private TMPDIR; no TCP connect or bind. A blocked action raises PermissionError')
            [CompletionResult]::new('--allow-net', '--allow-net', [CompletionResultType]::ParameterName, 'With --sandbox, let the code open TCP connections and listen on ports')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'moss;test-worker' {
            [CompletionResult]::new('--job', '--job', [CompletionResultType]::ParameterName, 'How to test it, as `moss test` hands it over: one JSON word')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'moss;device' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'List the BOLTs advertising nearby: name, address, signal strength')
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Connect to a device and print its battery and firmware version')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'moss;device;scan' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to listen')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'moss;device;info' {
            [CompletionResult]::new('--device', '--device', [CompletionResultType]::ParameterName, '`sim`, `bolt` (the first found), a name (SB-1A2B) or an address')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'moss;device;help' {
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'List the BOLTs advertising nearby: name, address, signal strength')
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Connect to a device and print its battery and firmware version')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'moss;device;help;scan' {
            break
        }
        'moss;device;help;info' {
            break
        }
        'moss;device;help;help' {
            break
        }
        'moss;context' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print every saved property (`name = value`, or one JSON object `{name: value}` with --json)')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print one saved property as JSON (with --json: `{"ok", "path", "name", "value"}`)')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Save one property: NAME then a JSON value (quote strings: ''"text"'')')
            [CompletionResult]::new('unset', 'unset', [CompletionResultType]::ParameterValue, 'Remove one saved property; it falls back to its default')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Remove every saved property and the last code; the run journal stays unless --journal')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print the context file''s path')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'moss;context;show' {
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context file itself, instead of a MOSS file')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'moss;context;get' {
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context file itself, instead of a MOSS file')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'moss;context;set' {
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context file itself, instead of a MOSS file')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'moss;context;unset' {
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context file itself, instead of a MOSS file')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'moss;context;reset' {
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context file itself, instead of a MOSS file')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'Delete the run journal (`<stem>.runs.jsonl`) too')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'moss;context;path' {
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context file itself, instead of a MOSS file')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'moss;context;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print every saved property (`name = value`, or one JSON object `{name: value}` with --json)')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print one saved property as JSON (with --json: `{"ok", "path", "name", "value"}`)')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Save one property: NAME then a JSON value (quote strings: ''"text"'')')
            [CompletionResult]::new('unset', 'unset', [CompletionResultType]::ParameterValue, 'Remove one saved property; it falls back to its default')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Remove every saved property and the last code; the run journal stays unless --journal')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print the context file''s path')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'moss;context;help;show' {
            break
        }
        'moss;context;help;get' {
            break
        }
        'moss;context;help;set' {
            break
        }
        'moss;context;help;unset' {
            break
        }
        'moss;context;help;reset' {
            break
        }
        'moss;context;help;path' {
            break
        }
        'moss;context;help;help' {
            break
        }
        'moss;log' {
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The context file whose journal to show, instead of the MOSS file''s default one (with --pin, the runs of this journal are pinned beside FILE.py)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Show the last N runs')
            [CompletionResult]::new('--last', '--last', [CompletionResultType]::ParameterName, 'Show the last N runs')
            [CompletionResult]::new('--pin', '--pin', [CompletionResultType]::ParameterName, 'Pin run N (as numbered here) as a case that `moss test` runs: `<stem>.pinned/<time>.json`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'moss;config' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text (diagnostics stay on stderr)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'moss;serve' {
            [CompletionResult]::new('--idle-timeout', '--idle-timeout', [CompletionResultType]::ParameterName, 'Stop after this many seconds without a run (default: never)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set')
            [CompletionResult]::new('--stop', '--stop', [CompletionResultType]::ParameterName, 'Stop the server of FILE.py instead of starting one')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'moss;python' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            break
        }
        'moss;stubs' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'moss;completions' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'moss;man' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diagnostics: auto colours only on a terminal and never when NO_COLOR is set')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings, only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Tell on stderr how a run is set up and where its time goes: the configuration file, the Python and why, the context file, warm or cold and why, and the time of each stage')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'moss;help' {
            [CompletionResult]::new('prompt', 'prompt', [CompletionResultType]::ParameterValue, 'Print the prompt a model reads before writing code for a MOSS file')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run generated code inside a MOSS file and save what it stored on `moss`')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Check MOSS files: each compiles, its prompt builds, and its test cases pass')
            [CompletionResult]::new('test-worker', 'test-worker', [CompletionResultType]::ParameterValue, 'Test one MOSS file and print its report as JSON (what `moss test` runs per file)')
            [CompletionResult]::new('device', 'device', [CompletionResultType]::ParameterValue, 'Find Sphero BOLTs nearby, or ask one for its battery and firmware')
            [CompletionResult]::new('context', 'context', [CompletionResultType]::ParameterValue, 'Read and edit a MOSS file''s saved context')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'Show the run journal: what the last runs of `moss exec` did, failed ones included')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show the configuration that applies to a MOSS file, and where each value came from')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Keep a MOSS file warm: runs of `moss exec` on it start in milliseconds')
            [CompletionResult]::new('python', 'python', [CompletionResultType]::ParameterValue, 'Run the embedded Python with the packages moss ships importable, like `python`')
            [CompletionResult]::new('stubs', 'stubs', [CompletionResultType]::ParameterValue, 'Write the packages moss ships as typed sources, for editors and type checkers')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the manual page (roff), as in docs/moss.1')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'moss;help;prompt' {
            break
        }
        'moss;help;exec' {
            break
        }
        'moss;help;test' {
            break
        }
        'moss;help;test-worker' {
            break
        }
        'moss;help;device' {
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'List the BOLTs advertising nearby: name, address, signal strength')
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Connect to a device and print its battery and firmware version')
            break
        }
        'moss;help;device;scan' {
            break
        }
        'moss;help;device;info' {
            break
        }
        'moss;help;context' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print every saved property (`name = value`, or one JSON object `{name: value}` with --json)')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print one saved property as JSON (with --json: `{"ok", "path", "name", "value"}`)')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Save one property: NAME then a JSON value (quote strings: ''"text"'')')
            [CompletionResult]::new('unset', 'unset', [CompletionResultType]::ParameterValue, 'Remove one saved property; it falls back to its default')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Remove every saved property and the last code; the run journal stays unless --journal')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print the context file''s path')
            break
        }
        'moss;help;context;show' {
            break
        }
        'moss;help;context;get' {
            break
        }
        'moss;help;context;set' {
            break
        }
        'moss;help;context;unset' {
            break
        }
        'moss;help;context;reset' {
            break
        }
        'moss;help;context;path' {
            break
        }
        'moss;help;log' {
            break
        }
        'moss;help;config' {
            break
        }
        'moss;help;serve' {
            break
        }
        'moss;help;python' {
            break
        }
        'moss;help;stubs' {
            break
        }
        'moss;help;completions' {
            break
        }
        'moss;help;man' {
            break
        }
        'moss;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
