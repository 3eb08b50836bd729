#!/usr/bin/env bash
# Speed of the results commands on a large database: bench/results.sh [TRIALS] [DB]
#
# Generates TRIALS (default 10,000) realistic synthetic trials into DB (default
# /tmp/strata-bench-TRIALS/strata; reused when it exists) through ResultsStore, then prints
#   1. each read command run in one JVM: the first run and the median of 5 (opening and closing the
#      database included, JVM start-up not), and
#   2. whole processes started the way bin/strata starts them, 3 runs each, next to 'strata --version'
#      (JVM start-up alone), with the machine's load average.
# Needs a build with test classes: mvn -B -o verify -DskipTests (bin/strata builds without them).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/bin/find-jdk25"
JAVA_HOME="$(find_jdk25)" || exit 1
TRIALS="${1:-10000}"
DB="${2:-/tmp/strata-bench-$TRIALS/strata}"

JAR="$ROOT/platform/cli/target/strata-cli.jar"
TESTS="$ROOT/platform/cli/target/test-classes"
if [ ! -f "$JAR" ] || [ ! -f "$TESTS/dev/strata/cli/results/ResultsBench.class" ]; then
  echo "bench/results.sh: build first: mvn -B -o verify -DskipTests (in $ROOT)" >&2
  exit 1
fi
CP="$JAR:$ROOT/platform/cli/target/lib/*"
mkdir -p "$ROOT/build"
# The same flags as bin/strata for a 'results' command.
FLAGS=(-XX:+AutoCreateSharedArchive "-XX:SharedArchiveFile=$ROOT/build/strata-cli-results.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off
       -XX:TieredStopAtLevel=1 -Dstrata.home="$ROOT" -Dai.djl.offline=true --enable-native-access=ALL-UNNAMED
       --sun-misc-unsafe-memory-access=allow -Djava.awt.headless=true)

echo "results bench: $TRIALS trials in $DB"
"$JAVA_HOME/bin/java" -Djava.awt.headless=true -cp "$TESTS:$CP" dev.strata.cli.results.ResultsBench --db "$DB" --trials "$TRIALS"

echo
echo "whole process, as bin/strata starts it (ms, 3 runs; load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores):"
# The class-data-sharing archive holds the classes of the run that made it: let a results command make it
# (bin/strata keeps one per command; this is the one of 'results').
rm -f "$ROOT/build/strata-cli-results.jsa"
"$JAVA_HOME/bin/java" "${FLAGS[@]}" -cp "$CP" dev.strata.cli.StrataCli results pareto --search 1 --db "$DB" >/dev/null
run() {
  local times=() i s
  for i in 1 2 3; do
    s=$(date +%s%N)
    "$JAVA_HOME/bin/java" "${FLAGS[@]}" -cp "$CP" dev.strata.cli.StrataCli "$@" >/dev/null
    times+=("$(( ($(date +%s%N) - s) / 1000000 ))")
  done
  local shown="$*"
  printf '  %-45s %s\n' "${shown//$DB/DB}" "${times[*]}"
}
run --version
run results top --db "$DB"
run results top --search 1 --db "$DB"
run results pareto --search 1 --db "$DB"
run results components --search 1 --db "$DB"
run results components --db "$DB"
