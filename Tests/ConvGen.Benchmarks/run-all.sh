#!/usr/bin/env bash
# One sitting of every benchmark mode, each pinned to one CPU under the team's timing lock (other timing waits) and,
# when run as root, at nice -19 so that builds and tests sharing the machine do not take the timing CPU from it;
# outputs in $OUT (default Tests/ConvGen.Benchmarks/results/<UTC date>):
#
#   Tests/ConvGen.Benchmarks/run-all.sh [bdn] [interleaved] [profile] [cold] [isa]     (default: all five)
#
# Environment: CPU (timing CPU, default 1), OUT, CONVGEN_PEERS_ARTIFACTS (default ../shared/peers/artifacts beside
# the checkout), ISA_MODELS (networks of the narrow-path run, default all five).
set -euo pipefail
cd "$(dirname "$0")/../.."
CPU=${CPU:-1}
OUT=${OUT:-Tests/ConvGen.Benchmarks/results/$(date -u +%F)}
WHAT=("$@")
[ ${#WHAT[@]} -eq 0 ] && WHAT=(bdn interleaved profile cold isa)
mkdir -p "$OUT"
{ date -u; git rev-parse HEAD; git status --short | head -5; lscpu | grep -E "Model name|^CPU\(s\)|Flags" | cut -c1-200; echo "timing CPU $CPU"; } > "$OUT/machine.txt"

dotnet build Tests/ConvGen.Benchmarks -c Release -nologo -v q
DLL=Tests/ConvGen.Benchmarks/bin/Release/net10.0/ConvGen.Benchmarks.dll
run() {
  local name=$1; shift
  echo "== $name: $*"
  local nice=()
  [ "$(id -u)" -eq 0 ] && nice=(nice -n -19)
  flock /tmp/convgen-timing.lock "${nice[@]}" taskset -c "$CPU" "$@" 2>&1 | tee "$OUT/$name.log"
  test "${PIPESTATUS[0]}" -eq 0
}
for mode in "${WHAT[@]}"; do
  case $mode in
    bdn) run bdn dotnet "$DLL" --artifacts "$OUT/bdn" ;;
    interleaved) run interleaved dotnet "$DLL" interleaved ;;
    profile) run profile dotnet "$DLL" profile ;;
    cold) run cold dotnet "$DLL" cold ;;
    isa) run isa dotnet "$DLL" --isa --models "${ISA_MODELS:-lenet5,dscnn,resnet8,vww_mobilenetv1,mobilenetv2}" --artifacts "$OUT/bdn-isa" ;;
    *) echo "unknown mode $mode (bdn, interleaved, profile, cold, isa)" >&2; exit 2 ;;
  esac
done
echo "== results in $OUT"
