#!/usr/bin/env bash
# The benchmarks, one entry point (net.kimik2.bench.Bench):
#
#   bench/run-bench.sh <scenario>[,<scenario>...] [key=value ...]
#
# Service scenarios, any number in ONE run of the packaged service (embedded default, OFFLINE model, 0 ms chunk
# delay unless chunkDelay=...), each reported per second and as a ratio to `ping` measured in the same run:
#   http           { ping } and { me ... } over HTTP, driven by wrk (connections=8 threads=2 seconds=15 rounds=5)
#   prompts        many people: c=8 clients, n=500 prompts streamed to done over graphql-ws
#   burst          one person's burstSizes=16,64,256 concurrent sendPrompt; another person's me meanwhile
#   one-person     onePersonClients=8 clients of one person, onePersonPrompts=400 prompts
#   replay         replay of all views through the service (replay=<processors> for some)
#   registrations  registrations=1000 from c clients
#   v1             OpenAI-style /v1/chat/completions with an API key per client: v1Requests=500 plain, then
#                  v1StreamRequests=300 streamed (run it as prompts,v1 to compare with GraphQL sendPrompt)
#   webhooks       Stripe webhooks from signature check to ledger: webhookEvents=2000 from c=8 clients, webhookUsers=20 (local Stripe stub)
#   all            http, prompts, burst, one-person, replay
# Issue 15, on stores and nodes of their own (embedded PostgreSQL, external view store: test-support):
#   backends       one node on embedded H2 vs embedded PostgreSQL (backends=h2,postgres crash=true)
#   nodes          one node vs two on PostgreSQL + an external view store (clients pinned to a node)
#   soak           minutes=30 of mixed load over two nodes, DB paused and a node killed; CSV + SVG to soakDir=docs/benchmarks
# On a service of its own: erasure (sizes=1000 reps=3 load=generate|graphql ...); dashboard (requests=1000
# events=100000 c=4 loads=5: /admin first paint in Debian's Chromium, replay progress cadence; issue 12).
# On a service of its own with a generated history: view-replay (users=2000 conversations=2 prompts=3 rounds=5).
# In-process: crypto-replay (users=20000 rounds=9 ...), key-load ([n] [passes]), jmh ([JMH args]; default
# -f 1 -wi 3 -w 5s -i 5 -r 5s CryptoBenchmarks).
# Warm-ups repeat until two consecutive rounds are within stableWithin=0.05 (at most maxWarmupRounds=6).
# A run appends its Markdown summary to docs/benchmarks.md unless append=false (or a request or check failed).
#
# Environment: MVN_FLAGS (e.g. -o for offline builds), SKIP_BUILD=1 to reuse the jars already built,
# KIMI_BENCH_SERVICE_JVM_ARGS (extra JVM options of the service, e.g. a JFR recording).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $# -lt 1 ]]; then
  sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
SCENARIO="$1"

# wrk is the load generator of the HTTP scenarios; install it from the distribution when possible
if [[ "$SCENARIO" =~ (^|,)(all|http|prompts|burst|one-person|replay|registrations|v1|webhooks|backends|nodes|soak)(,|$) && ! "$*" =~ (^|[[:space:]])(ping=false|wrk=) ]]; then
  if ! command -v wrk >/dev/null; then
    if command -v apt-get >/dev/null && [[ "$(id -u)" == 0 ]]; then
      echo "wrk not found: installing it with apt-get" >&2
      apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }
    fi
    command -v wrk >/dev/null || { echo "wrk not found: install it (e.g. sudo apt-get install -y wrk) or pass wrk=/path/to/wrk" >&2; exit 2; }
  fi
fi

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  # `package`, not `install`: ~/.m2 may be shared with other builds. The service jar is not repackaged when only
  # the modules it depends on changed: remove it so it is rebuilt.
  rm -f app/target/kimi-backend.jar app/target/kimi-backend.jar.original
  ./mvnw -q -DskipTests ${MVN_FLAGS:-} package -pl app,bench -am
fi

# Run from a private copy: a concurrent build rewrites bench/target/kimi-bench.jar, and classes loaded late would
# then fail with NoClassDefFoundError (the service jar is copied by the harness for the same reason).
BENCH_JAR="$(mktemp -d)/kimi-bench.jar"
trap 'rm -rf "$(dirname "$BENCH_JAR")"' EXIT
cp bench/target/kimi-bench.jar "$BENCH_JAR"

# the exact command, shell-quoted, for the summary in docs/benchmarks.md
COMMAND="bench/run-bench.sh$(printf ' %q' "$@")"
java -Xmx2g -Dbench.command="$COMMAND" -cp "$BENCH_JAR" net.kimik2.bench.Bench "$@"
