# Helpers the benchmark scripts share; source it after setting WORK, SEED and GEN.

corpus() { # corpus N -> path (generated once per seed and size)
    local dir="$WORK/seed$SEED-$1"
    if [ ! -f "$dir/.done" ]; then
        rm -rf "$dir"
        "$GEN" --seed "$SEED" --files "$1" "$dir" 2>/dev/null
        touch "$dir/.done"
    fi
    echo "$dir"
}

# timed CMD... -> "seconds peak_rss_kib": wall time to the millisecond, and the peak RSS
# of the pipeline's largest process.
timed() {
    local s e
    s=$(date +%s%N)
    /usr/bin/time -f "%M" -o "$WORK/time.out" "$@" >/dev/null 2>&1 || true
    e=$(date +%s%N)
    awk -v d=$((e - s)) -v m="$(cat "$WORK/time.out")" 'BEGIN { printf "%.4f %d\n", d / 1e9, m }'
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
