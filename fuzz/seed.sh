#!/usr/bin/env bash
# Seed corpora for the fuzz targets from the test fixtures and examples (corpus/ is
# git-ignored; libFuzzer adds what it finds there).
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/{yaml,compose,dockerfile,envfile,interpolate}
i=0
for f in $(find ../tests ../examples -name '*.yaml' -o -name '*.yml'); do
    i=$((i + 1)); cp "$f" "corpus/yaml/seed$i"
done
i=0
for f in $(find ../tests ../examples -name '*Dockerfile*'); do
    i=$((i + 1)); cp "$f" "corpus/dockerfile/seed$i"
done
i=0
for f in $(find ../tests ../examples -name '.env*' -o -name '*.env'); do
    i=$((i + 1)); cp "$f" "corpus/envfile/seed$i"
done
# compose: compose.yaml NUL Dockerfile NUL .env of each fixture project.
i=0
for d in $(find ../tests/fixtures ../examples -name compose.yaml -printf '%h\n'); do
    i=$((i + 1))
    {
        cat "$d/compose.yaml"
        printf '\0'
        cat "$d/Dockerfile" 2>/dev/null || cat "$d"/*/Dockerfile 2>/dev/null || true
        printf '\0'
        cat "$d/.env" 2>/dev/null || true
    } >"corpus/compose/seed$i"
done
printf '%s' 'postgres://${USER:-app}:$${PASS}@${HOST?host is required}:${PORT:+${PORT}}/db' >corpus/interpolate/s1
printf '%s' '${A:-${B:-${C-x}}}$D $$ ${E:?é€😀}' >corpus/interpolate/s2
