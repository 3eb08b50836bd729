#!/usr/bin/env bash
# Dashboard benchmark: how long the first page of `strata serve` takes to load and draw in a real
# headless Chromium on a results database with 10,000 trials, and how long each JSON endpoint
# takes alone. Prints figures (docs/dashboard.md explains them); asserts nothing.
#
#   bench/dashboard.sh [TRIALS] [LOADS]      defaults: 10000 trials, 10 warm loads
#
# The synthetic database (written through ResultsStore by SyntheticResults) is generated once,
# into bench/target/dashboard-TRIALS.mv.db (about 30-60 s for 10,000 trials), and reused.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/bin/find-jdk25"
JAVA_HOME="$(find_jdk25)"
export JAVA_HOME
TRIALS="${1:-10000}"
LOADS="${2:-10}"
"$ROOT/bin/ensure-browser"

cd "$ROOT"
# Compile the CLI and its tests (not installed anywhere) and list the test class path.
build=(mvn -B -q test-compile dependency:build-classpath -pl platform/cli -am
       -Dmdep.includeScope=test -Dmdep.outputFile=target/test.classpath)
"${build[@]}" -o >/dev/null 2>&1 || "${build[@]}" >&2
CP="platform/cli/target/test-classes:platform/cli/target/classes:$(cat platform/cli/target/test.classpath)"
mkdir -p bench/target
exec "$JAVA_HOME/bin/java" -Dai.djl.offline=true -cp "$CP" dev.strata.cli.serve.DashboardBench \
  "bench/target/dashboard-$TRIALS" "$TRIALS" "$LOADS"
