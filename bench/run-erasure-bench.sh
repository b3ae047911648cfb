#!/usr/bin/env bash
# Erasure time vs the number of a person's events, against the packaged service (embedded default).
#
#   bench/run-erasure-bench.sh [key=value ...]
#
# Settings of net.kimik2.bench.ErasureBench: sizes (grants per user, comma-separated, default 1000), reps (users per
# size, 3), reps.<size> (users of that size), load (generate: 2 real grants per user + the rest appended by
# LedgerEventGenerator while the service is stopped; graphql: every grant over GraphQL), c and grantBudgetSeconds
# (graphql only: concurrent admin clients, 3; time budget, 900), viewsTimeoutMinutes (90), jar, revision, append, out.
# Environment: MVN_FLAGS (e.g. -o), SKIP_BUILD=1 to reuse the jars already built.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  # the service jar is not repackaged when only its dependency modules changed: remove it so it is rebuilt
  rm -f app/target/kimi-backend.jar app/target/kimi-backend.jar.original
  ./mvnw -q -DskipTests ${MVN_FLAGS:-} package  # package, not install: ~/.m2 may be shared with other builds
fi
BENCH_JAR="$(mktemp -d)/kimi-bench.jar"
trap 'rm -rf "$(dirname "$BENCH_JAR")"' EXIT
cp bench/target/kimi-bench.jar "$BENCH_JAR"

COMMAND="bench/run-erasure-bench.sh$( (( $# )) && printf ' %q' "$@")"
java -Dbench.command="$COMMAND" -cp "$BENCH_JAR" net.kimik2.bench.ErasureBench "$@"
