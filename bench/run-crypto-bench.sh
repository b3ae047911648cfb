#!/usr/bin/env bash
# Crypto-shredding benchmarks, in-process (no service):
#   1. JMH: FieldCipher encrypt / decrypt / encrypt+decrypt of a 64-byte field, and EncryptingSerializer vs plain
#      JacksonSerializer serialize+deserialize of AccountRegisteredEvent (net.kimik2.bench.CryptoBenchmarks);
#   2. replay of the same events with and without encryption (net.kimik2.bench.ReplayBench).
#
#   bench/run-crypto-bench.sh [jmh|replay|all] [extra args]
#
# jmh:    extra args go to org.openjdk.jmh.Main (default: -f 1 -wi 3 -w 5s -i 5 -r 5s CryptoBenchmarks)
# replay: extra args are key=value settings of ReplayBench (users=20000, rounds=9, warmup=1, append=true, out=...)
# Environment: MVN_FLAGS (e.g. -o), SKIP_BUILD=1 to reuse bench/target/kimi-bench.jar.
set -euo pipefail
cd "$(dirname "$0")/.."

WHAT="${1:-all}"
shift $(( $# < 1 ? $# : 1 ))

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  ./mvnw -q -DskipTests ${MVN_FLAGS:-} package  # package, not install: ~/.m2 may be shared with other builds
fi

# private copy: a concurrent build rewrites bench/target/kimi-bench.jar
BENCH_JAR="$(mktemp -d)/kimi-bench.jar"
trap 'rm -rf "$(dirname "$BENCH_JAR")"' EXIT
cp bench/target/kimi-bench.jar "$BENCH_JAR"

busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }

if [[ "$WHAT" == jmh || "$WHAT" == all ]]; then
  if [[ "$WHAT" == jmh && $# -gt 0 ]]; then JMH_ARGS=("$@"); else JMH_ARGS=(-f 1 -wi 3 -w 5s -i 5 -r 5s CryptoBenchmarks); fi
  echo "machine: nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $(java -version 2>&1 | head -1)"
  # foreign CPU share: machine busy time (/proc/stat) minus the CPU of JMH and its forks (bash `times`, children)
  # `times` must run in this shell (a $(...) subshell would report its own, empty, children)
  TIMES="$(dirname "$BENCH_JAR")/times"
  children_cpu() { tail -1 "$TIMES" | awk '{ split($1,a,/[ms]/); split($2,b,/[ms]/); print a[1]*60+a[2]+b[1]*60+b[2] }'; }
  times > "$TIMES"; C0=$(children_cpu); T0=$(date +%s.%N); B0=$(busy_ticks)
  # -rf json keeps the raw figures next to the bench build
  java -cp "$BENCH_JAR" org.openjdk.jmh.Main "${JMH_ARGS[@]}" -rf json -rff bench/target/jmh-crypto.json
  T1=$(date +%s.%N); B1=$(busy_ticks)
  times > "$TIMES"; OWN=$(awk -v c0="$C0" -v c1="$(children_cpu)" 'BEGIN { print c1-c0 }')
  awk -v t0="$T0" -v t1="$T1" -v b0="$B0" -v b1="$B1" -v own="$OWN" 'BEGIN {
    wall=t1-t0; busy=(b1-b0)/100; other=busy-own; if (other<0) other=0;
    printf "CPU during the JMH run (%.0f s): %.2f cores JMH (host + forks), %.2f cores other processes\n", wall, own/wall, other/wall }'
fi
if [[ "$WHAT" == replay || "$WHAT" == all ]]; then
  if [[ "$WHAT" == replay ]]; then REPLAY_ARGS=("$@"); else REPLAY_ARGS=(); fi
  COMMAND="bench/run-crypto-bench.sh replay$( (( ${#REPLAY_ARGS[@]} )) && printf ' %q' "${REPLAY_ARGS[@]}")"
  java -Xmx2g -Dbench.command="$COMMAND" -cp "$BENCH_JAR" net.kimik2.bench.ReplayBench "${REPLAY_ARGS[@]}"
fi
