#!/usr/bin/env bash
# A/B benchmark: the working tree's stowaway against a baseline revision (default: the
# previous commit on main, `BASE=rev` to choose), both built in release mode and timed in
# the same run, alternating (baseline, candidate, baseline, ...) on the generated corpus, so
# that cache and machine load affect both alike. Reports median wall time, the ratio
# candidate/baseline, and the peak RSS of each.
#
# usage: benches/ab.sh [WORKDIR]
#   BASE=origin/main~1   SIZES="10000 50000"   RUNS=5   SEED=1
#   BASE_BIN=path        use this baseline binary instead of building BASE
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"10000 50000"}
RUNS=${RUNS:-5}
SEED=${SEED:-1}
BASE=${BASE:-HEAD~1}
WORK=${1:-${TMPDIR:-/tmp}/stowaway-ab}
mkdir -p "$WORK"

nice -n 19 cargo build --release --quiet --bin stowaway --example gen-corpus
NEW=$PWD/target/release/stowaway
GEN=$PWD/target/release/examples/gen-corpus
if [ -n "${BASE_BIN:-}" ]; then
    OLD=$BASE_BIN
else
    rev=$(git rev-parse --short "$BASE")
    tree="$WORK/base-$rev"
    if [ ! -x "$tree/target/release/stowaway" ]; then
        rm -rf "$tree"
        git worktree add --detach "$tree" "$rev" >/dev/null 2>&1
        (cd "$tree" && nice -n 19 cargo build --release --quiet --bin stowaway)
    fi
    OLD=$tree/target/release/stowaway
fi

# shellcheck source=benches/lib.sh
. benches/lib.sh

echo "# stowaway A/B — $(date -u +%F), $(nproc) cores; baseline ${BASE_BIN:-$BASE}"
echo
echo "| files | baseline s | candidate s | ratio | baseline peak RSS MB | candidate peak RSS MB |"
echo "|---|---|---|---|---|---|"
for n in $SIZES; do
    dir=$(corpus "$n")
    : >"$WORK/old.t"; : >"$WORK/new.t"; : >"$WORK/old.m"; : >"$WORK/new.m"
    timed "$OLD" check --exit-zero --format json "$dir" >/dev/null  # warm the cache
    for _ in $(seq "$RUNS"); do
        read -r t m < <(timed "$OLD" check --exit-zero --format json "$dir"); echo "$t" >>"$WORK/old.t"; echo "$m" >>"$WORK/old.m"
        read -r t m < <(timed "$NEW" check --exit-zero --format json "$dir"); echo "$t" >>"$WORK/new.t"; echo "$m" >>"$WORK/new.m"
    done
    ot=$(median <"$WORK/old.t"); nt=$(median <"$WORK/new.t")
    om=$(sort -g "$WORK/old.m" | tail -1); nm=$(sort -g "$WORK/new.m" | tail -1)
    awk -v n="$n" -v ot="$ot" -v nt="$nt" -v om="$om" -v nm="$nm" \
        'BEGIN { printf "| %d | %.3f | %.3f | %.2fx | %.0f | %.0f |\n", n, ot, nt, nt / ot, om / 1024, nm / 1024 }'
done
