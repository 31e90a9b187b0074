#!/usr/bin/env bash
# One benchmarking sitting for the erasure codec: the zfec and ISA-L anchors, then CodecReport on
# JDK 25 and JDK 17 (ratios against those anchors), then the anchors again to show the drift.
# Usage (from the repository root, after `mvn -B -pl benchmarks -am package -DskipTests`):
#   benchmarks/run-codec-sitting.sh OUT_DIR [anchor_seconds] [CodecReport options...]
# Env: JDK25, JDK17 (java binaries), SHARED (default: the first shared/ beside a parent folder).
set -euo pipefail
out=${1:?output directory}; shift
secs=${1:-0.3}; shift || true
root="$(cd "$(dirname "$0")/.." && pwd)"
shared=${SHARED:-}
if [ -z "$shared" ]; then
  # Like SharedVectors: the first shared/ beside the checkout or any of its parents.
  d=$root
  while [ "$d" != / ] && [ ! -d "$d/shared/anchors" ]; do d=$(dirname "$d"); done
  shared=$d/shared
fi
[ -x "$shared/anchors/zfec/run.sh" ] || { echo "no anchors under $shared (set SHARED)" >&2; exit 1; }
jdk25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
jdk17=${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64/bin/java}
mkdir -p "$out"
# Benchmark a copy, so rebuilding during the sitting cannot change the code under test.
cp "$root/benchmarks/target/benchmarks.jar" "$out/benchmarks.jar"
anchors() {
  ANCHORS_TSV="$out/anchors$1.tsv" ZFEC_DEFAULT_MALLOC_PASS=0 "$shared/anchors/zfec/run.sh" "$secs" > "$out/zfec$1.log" 2>&1
  ANCHORS_TSV="$out/anchors$1.tsv" "$shared/anchors/isal/run.sh" "$secs" > "$out/isal$1.log" 2>&1
}
{ date -u; uptime; grep -m1 'model name' /proc/cpuinfo; } > "$out/machine.txt"
anchors 1
for jdk in "$jdk25" "$jdk17"; do
  v=$("$jdk" -version 2>&1 | head -1 | tr -dc '0-9.' | cut -d. -f1)
  "$jdk" -Djmh.ignoreLock=true -cp "$out/benchmarks.jar" org.lafsrepair.benchmarks.CodecReport \
    --anchors "$out/anchors1.tsv" "$@" > "$out/jdk$v.log" 2>&1
  { date -u; uptime; } >> "$out/machine.txt"
done
anchors 2
sed -n '/^JVM:/,$p' "$out"/jdk*.log
