#!/usr/bin/env bash
# Sets everything up on a fresh Debian 12 machine and runs the example
# study: installs the packages (apt-get, as root), builds wjr, brings up the
# local Slurm cluster, and runs the Branin study of examples/branin against
# it with `wjr run`. Run it again at will: the cluster is reused and the
# previous demo study is replaced.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

echo "== packages" >&2
scripts/deps.sh
echo "== build" >&2
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"${WJR_JOBS:-2}" >/dev/null
echo "== local Slurm cluster" >&2
eval "$(scripts/cluster-up.sh)"
export SLURM_CONF

DEMO=examples/branin/runs/demo
if [ -d "$DEMO" ]; then
    echo "== removing the previous demo study $DEMO" >&2
    rm -rf "$DEMO"
fi
echo "== wjr run examples/branin/branin.cfg" >&2
build/wjr run examples/branin/branin.cfg
cat >&2 <<EOT

Done. To look at the study or use the cluster yourself:
  export SLURM_CONF=$SLURM_CONF
  build/wjr status $DEMO
  build/wjr results $DEMO --csv
Take the cluster down with: scripts/cluster-down.sh
EOT
