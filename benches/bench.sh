#!/usr/bin/env bash
# Benchmarks for stowaway, each against a baseline measured in the same run:
#   1. single-file latency: `stowaway check compose.yaml` (whole process) vs `cat` of it;
#   2. whole-tree throughput (MB/s) and scaling 1,000 -> 10,000 -> 50,000 files, with wall
#      time and peak RSS, vs `find DIR -type f | xargs cat` (read-only baseline);
#   3. the language server: `didChange` -> `publishDiagnostics` of a compose file in the
#      10,000-file corpus, vs a hover round trip (examples/lsp-latency.rs).
# Runs alternate (baseline, stowaway, baseline, ...) so that cache and load affect both.
#
# usage: benches/bench.sh [WORKDIR]
#   SIZES="1000 10000 50000"  corpus sizes in files   RUNS=5  runs per size and tool
#   SEED=1                    corpus seed             (hyperfine is used when installed)
# Targets (DESIGN: fast enough for every keystroke and commit): single compose file < 5 ms,
# whole tree within 3x of cat, 50k files peak RSS < 100 MB.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"1000 10000 50000"}
RUNS=${RUNS:-5}
SEED=${SEED:-1}
WORK=${1:-${TMPDIR:-/tmp}/stowaway-bench}
mkdir -p "$WORK"

nice -n 19 cargo build --release --quiet --bin stowaway --example gen-corpus --example lsp-latency
BIN=$PWD/target/release/stowaway
GEN=$PWD/target/release/examples/gen-corpus

# shellcheck source=benches/lib.sh
. benches/lib.sh

echo "# stowaway benchmarks — $(date -u +%F), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo

# ---------------------------------------------------------------- single file
small=$(corpus 1000)
one="$small/g000/p00000/compose.yaml"
echo "## Single compose file ($(wc -c <"$one") bytes)"
echo
if command -v hyperfine >/dev/null; then
    hyperfine -N --warmup 20 --runs 300 --style none --export-json "$WORK/single.json" \
        "cat $one" "$BIN check --exit-zero --format json $one" >/dev/null 2>&1
    # Medians: on a shared machine the mean is dominated by a few runs that waited for a core.
    echo "| command | median ms | min ms | mean ms | user ms |"
    echo "|---|---:|---:|---:|---:|"
    python3 - "$WORK/single.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    name = "cat" if r["command"].startswith("cat ") else "stowaway check (json)"
    print(f"| {name} | {r['median']*1e3:.2f} | {r['min']*1e3:.2f} | {r['mean']*1e3:.2f} | {r['user']*1e3:.2f} |")
PY
else
    for cmd in "cat $one" "$BIN check --exit-zero --format json $one"; do
        start=$(date +%s%N)
        for _ in $(seq 200); do $cmd >/dev/null; done
        echo "| \`$cmd\` | $(( ($(date +%s%N) - start) / 200000 )) µs mean |"
    done
fi
echo

# ---------------------------------------------------------------- whole trees
echo "## Whole tree (median of $RUNS runs; MB/s over all bytes of the tree)"
echo
echo "| files | MB | cat s | stowaway s | ratio | stowaway MB/s | cat MB/s | stowaway peak RSS MB | findings |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in $SIZES; do
    dir=$(corpus "$n")
    bytes=$(find "$dir" -type f ! -name .done -printf '%s\n' | awk '{s+=$1} END {print s}')
    files=$(find "$dir" -type f ! -name .done | wc -l)
    # Warm the page cache for both.
    find "$dir" -type f -print0 | xargs -0 cat >/dev/null
    : >"$WORK/cat.t"; : >"$WORK/sw.t"; : >"$WORK/sw.rss"
    for _ in $(seq "$RUNS"); do
        timed sh -c "find '$dir' -type f -print0 | xargs -0 cat" | awk '{print $1}' >>"$WORK/cat.t"
        read -r t rss < <(timed "$BIN" check --exit-zero --format json "$dir")
        echo "$t" >>"$WORK/sw.t"
        echo "$rss" >>"$WORK/sw.rss"
    done
    cat_t=$(median <"$WORK/cat.t")
    sw_t=$(median <"$WORK/sw.t")
    rss=$(sort -g "$WORK/sw.rss" | tail -1)
    found=$("$BIN" check --exit-zero --format json "$dir" | grep -c '"code"' || true)
    awk -v f="$files" -v b="$bytes" -v c="$cat_t" -v s="$sw_t" -v r="$rss" -v k="$found" 'BEGIN {
        mb = b / 1e6; c = (c > 0 ? c : 0.005); s = (s > 0 ? s : 0.005);
        printf "| %d | %.1f | %.3f | %.3f | %.1fx | %.1f | %.1f | %.1f | %d |\n",
            f, mb, c, s, s / c, mb / s, mb / c, r / 1024, k }'
done
echo

# ---------------------------------------------------------------- language server
lsp=$(corpus 10000)
echo "## Language server, 10,000-file corpus (target: didChange -> diagnostics < 20 ms)"
echo
"$PWD/target/release/examples/lsp-latency" "$BIN" "$lsp" "$lsp/g000/p00000/compose.yaml" | sed 's/^/- /'
