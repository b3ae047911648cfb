#!/usr/bin/env bash
# HTTP benchmark of `{ ping }` vs `{ me { id name email credits { available } } }` against the packaged service
# (embedded default), driven by the external load generator wrk.
#
#   bench/run-http-bench.sh [key=value ...]
#
# Settings go to net.kimik2.bench.HttpBench: connections (8), threads (2), seconds (15, per measured window),
# warmupSeconds (10), rounds (5), maxWarmupRounds (6), stableWithin (0.05), timeout (5, s), append, out, jar, heap,
# keepData, wrk (path of the wrk binary).
# Environment: MVN_FLAGS (e.g. -o for offline builds), SKIP_BUILD=1 to reuse the jars already built.
# The run appends its Markdown summary to docs/benchmarks.md unless append=false is given.
set -euo pipefail
cd "$(dirname "$0")/.."

# wrk is the load generator; install it from the distribution when possible, otherwise say what is missing
if ! WRK="$(command -v wrk)"; then
  if command -v apt-get >/dev/null && [[ "$(id -u)" == 0 ]]; then
    echo "wrk not found: installing it with apt-get" >&2
    apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }
    WRK="$(command -v wrk)" || { echo "wrk still not found after apt-get install" >&2; exit 2; }
  else
    echo "wrk not found: install it (e.g. sudo apt-get install -y wrk) or put it on PATH" >&2
    exit 2
  fi
fi

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
COMMAND="bench/run-http-bench.sh$( (( $# )) && printf ' %q' "$@")"
java -Dbench.command="$COMMAND" -Dbench.wrk="$WRK" \
  -cp "$BENCH_JAR" net.kimik2.bench.HttpBench "$@"
