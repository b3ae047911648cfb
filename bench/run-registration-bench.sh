#!/usr/bin/env bash
# Registration + replay benchmark against the packaged service (embedded default).
#
#   bench/run-registration-bench.sh [N] [C] [key=value ...]
#
# N registrations (default 1000) from C concurrent clients (default 4); further key=value settings go to
# net.kimik2.bench.RegistrationBench (warmup, sampleEvery, baselineSeconds, replay, append, out, ...).
# Environment: MVN_FLAGS (e.g. -o for offline builds), SKIP_BUILD=1 to reuse the jars already built.
# The run appends its Markdown summary to docs/benchmarks.md unless append=false is given.
set -euo pipefail
cd "$(dirname "$0")/.."

N="${1:-1000}"
C="${2:-4}"
shift $(( $# < 2 ? $# : 2 ))

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  # builds the service jar (app/target/kimi-backend.jar) and the shaded bench jar (bench/target/kimi-bench.jar)
  # the service jar is not repackaged when only its dependency modules changed: remove it so it is rebuilt
  rm -f app/target/kimi-backend.jar app/target/kimi-backend.jar.original
  ./mvnw -q -DskipTests ${MVN_FLAGS:-} package  # package, not install: ~/.m2 may be shared with other builds
fi

# Run from a private copy: a concurrent build rewrites bench/target/kimi-bench.jar, and classes the
# bench loads late would then fail with NoClassDefFoundError (the bench copies the service jar for the same reason).
BENCH_JAR="$(mktemp -d)/kimi-bench.jar"
trap 'rm -rf "$(dirname "$BENCH_JAR")"' EXIT
cp bench/target/kimi-bench.jar "$BENCH_JAR"

# the exact command, shell-quoted, for the summary in docs/benchmarks.md
COMMAND="bench/run-registration-bench.sh $N $C$( (( $# )) && printf ' %q' "$@")"
java -Dbench.command="$COMMAND" \
  -cp "$BENCH_JAR" net.kimik2.bench.RegistrationBench n="$N" c="$C" "$@"
