#!/usr/bin/env bash
# Training speed benchmark (issue 6; docs/performance.md explains every figure):
#
#   bench/training.sh            the full benchmark, about 10 minutes on 2 cores
#   bench/training.sh --smoke    every part once with tiny sizes (a minute): proves it runs
#
# 1. worker memory: one trial of 10,000 steps in a worker, resident memory from step 1,000 on;
# 2. platform overhead: the quickstart search as a process, wall time minus time in training steps;
# 3. step time: bench/arch/*.yaml trained by a Strata worker and by the same model written in
#    PyTorch (bench/training.py, Debian's python3-torch with OpenBLAS), alternating runs, same batch,
#    recipe, optimizer and 2 threads. The last line is 'worst ratio strata/pytorch: X.XX'.
#
# Run it on an otherwise idle machine: it measures time. Installs python3-torch when missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SMOKE=0
[ "${1:-}" = "--smoke" ] && SMOKE=1

bench/ensure-pytorch
THREADS="$(nproc)"
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== pytorch: $(/usr/bin/python3 -c 'import torch; print("torch", torch.__version__)'), strata: $(bin/strata --version)"

if [ "$SMOKE" = 1 ]; then
  echo "== 1. worker memory (smoke: 300 steps)"
  bin/strata bench memory bench/arch/quickstart-best.yaml --steps 300 --from 100
  echo "== 2. platform overhead (smoke: a 2-trial search)"
  bin/strata bench overhead bench/smoke-search.yaml
  echo "== 3. step time (smoke: 1 run, 20 steps)"
  bin/strata bench training bench/arch/quickstart-best.yaml --runs 1 --warmup-runs 0 --steps 20 --threads "$THREADS"
else
  echo "== 1. worker memory over 10,000 steps"
  bin/strata bench memory bench/arch/quickstart-best.yaml --steps 10000 --from 1000
  echo "== 2. platform overhead of the quickstart search"
  bin/strata bench overhead search-spaces/quickstart.yaml
  echo "== 3. step time, Strata worker vs PyTorch eager (medians of 7 runs per side)"
  bin/strata bench training bench/arch/quickstart-best.yaml bench/arch/d256x4.yaml --runs 7 --run-seconds 8 --threads "$THREADS"
fi
