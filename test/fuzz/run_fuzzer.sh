#!/usr/bin/env bash
# Runs a libFuzzer binary for a bounded time on the seed corpus next to it. Prints one line when
# nothing was found. On a crash, a failed check, a sanitizer report or a hang (an input that runs
# longer than 5 s), prints libFuzzer's report and the saved input, and exits non-zero.
# Usage: run_fuzzer.sh FUZZER SECONDS
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 FUZZER SECONDS" >&2
    exit 2
fi
fuzzer=$1
seconds=$2
dir=$(dirname "$fuzzer")
log="$dir/fuzz.log"           # libFuzzer's progress lines, kept out of the terminal
artifacts="$dir/artifacts"    # the input that failed, if any
# Inputs that reach new code go to a fresh directory, so the seed corpus stays as committed and
# every run starts from the same place.
found=$(mktemp -d "${TMPDIR:-/tmp}/schedule_fuzzer_corpus.XXXXXX")
trap 'rm -rf "$found"' EXIT

rm -rf "$artifacts"
mkdir -p "$artifacts"

if "$fuzzer" -max_total_time="$seconds" -timeout=5 -max_len=512 -print_final_stats=0 \
    -artifact_prefix="$artifacts/" "$found" "$dir/corpus" >"$log" 2>&1; then
    summary=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 executions in \2 s/p' "$log")
    if [[ -z "$summary" ]]; then
        echo "fuzz: $fuzzer ended without its summary line; log: $log" >&2
        cat "$log" >&2
        exit 1
    fi
    echo "fuzz: $(basename "$fuzzer"): $summary, no failure ($(ls "$found" | wc -l) new inputs)"
    exit 0
fi

# The report without the progress lines, which say only what coverage was reached.
grep -v -E '^#[0-9]+[[:space:]]|^[[:space:]]+NEW_FUNC' "$log" >&2 || true
echo "fuzz: $(basename "$fuzzer") FAILED (full log: $log)" >&2
for input in "$artifacts"/*; do
    [[ -f "$input" ]] || continue
    echo "fuzz: failing input: $input; reproduce with: $fuzzer $input" >&2
done
exit 1
