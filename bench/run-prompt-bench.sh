#!/usr/bin/env bash
# Prompt benchmark against the packaged service (embedded default, OFFLINE model), with a `me` baseline.
#
#   bench/run-prompt-bench.sh [N] [C] [key=value ...]
#
# N measured prompts (default 500) from C concurrent clients (default 4) after 50 warm-up prompts, and as many
# `{ me { id credits { available } } }` queries from the same clients (docs/benchmarks.md, "Prompts (issue 4)").
# Further key=value settings go to net.kimik2.bench.PromptBench (warmup, chunkDelay, maxTokens, signupCredits, settleMillis, append, out, ...).
# Environment: MVN_FLAGS (e.g. -o for offline builds), SKIP_BUILD=1 to reuse the jars already built.
# The run appends its Markdown summary to docs/benchmarks.md unless append=false is given.
set -euo pipefail
cd "$(dirname "$0")/.."

N="${1:-500}"
C="${2:-4}"
shift $(( $# < 2 ? $# : 2 ))

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  # `package`, not `install`: builds app/target/kimi-backend.jar and bench/target/kimi-bench.jar in the reactor
  # without touching ~/.m2, which other builds on this machine read
  ./mvnw -q -DskipTests ${MVN_FLAGS:-} package
fi

# Run from a private copy: a concurrent build rewrites bench/target/kimi-bench.jar, and classes the bench loads
# late would then fail with NoClassDefFoundError (ServiceProcess copies the service jar for the same reason).
BENCH_JAR="$(mktemp -d)/kimi-bench.jar"
trap 'rm -rf "$(dirname "$BENCH_JAR")"' EXIT
cp bench/target/kimi-bench.jar "$BENCH_JAR"

# the exact command, shell-quoted, for the summary in docs/benchmarks.md
COMMAND="bench/run-prompt-bench.sh $N $C$( (( $# )) && printf ' %q' "$@")"
java -Dbench.command="$COMMAND" \
  -cp "$BENCH_JAR" net.kimik2.bench.PromptBench n="$N" c="$C" "$@"
