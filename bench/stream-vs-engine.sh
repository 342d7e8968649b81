#!/usr/bin/env bash
# Records/s of the streaming job (directory source -> JSON-lines sink) against the engine alone
# (diffad score) on the same inputs, model and engine settings (issue 5, item 9).
#
#   bench/stream-vs-engine.sh [COPIES] [WORK]
#
# Inputs: the 80 images of the demo's inspection set, each copied COPIES times (default 20, so
# 1,600 images, 64x64 gray); model: the demo's (./diffad demo is run first if it has none).
# Both runs use the model's own engine settings (its profile's engine:, else the defaults) or
# ENGINE, network batches of 8, no maps written, and the launcher's thread settings. The network
# share is the sum of the records' network time (timingsMs.model) over the steady span.
# Rates are steady-state: records
# minus one over the span between the first and the last record's `ts`, so JVM start, model load
# and (for the stream) MiniCluster start and the idle wait at the end are not counted; the wall
# times, which do count them, are printed as well.
# MODEL=DIR scores with another model (default: the demo's); ENGINE='{json}' gives both runs
# engine settings other than the model's own.
set -euo pipefail
cd "$(dirname "$0")/.."
copies="${1:-20}"
work="${2:-runs/bench-stream}"
[ -f runs/demo/model/model.json ] || ./diffad demo
model="${MODEL:-$PWD/runs/demo/model}"
engine_opt=()
engine_yaml=""
if [ -n "${ENGINE:-}" ]; then
  mkdir -p "$(dirname "$work")" && echo "$ENGINE" > "$work.engine.json"
  engine_opt=(--engine "$PWD/$work.engine.json")
  engine_yaml="engine: $ENGINE"
fi
rm -rf "$work"; mkdir -p "$work/in/cam1"
n=0
for c in $(seq 1 "$copies"); do
  for f in runs/demo/inspection/cam1/*.png runs/demo/inspection/cam2/*.png; do
    cp "$f" "$work/in/cam1/c$c-$(basename "$f")"; n=$((n + 1))
  done
done
cat > "$work/stream.yaml" <<YAML
model: "$model"
$engine_yaml
source:
  kind: directory
  directory: {path: "$PWD/$work/in", recursive: on, monitorInterval: 1s}
batching: {maxSize: 8, maxWait: 300ms}
outputs: {dir: "$PWD/$work/stream-out", maps: off}
alerts: {count: 3, window: 60s, cooldown: 5m}
checkpointing: {interval: 10s, exactlyOnce: on}
parallelism: 1
YAML

rate() {  # steady-state records/s from the ts fields of a scores.jsonl
  python3 - "$1" <<'PY'
import json, sys
from datetime import datetime
ts = sorted(datetime.fromisoformat(json.loads(l)["ts"][:26].rstrip("Z")) for l in open(sys.argv[1]))
span = (ts[-1] - ts[0]).total_seconds()
model = sum(json.loads(l)["timingsMs"]["model"] for l in open(sys.argv[1])) / 1000
print(f"{len(ts)} {span:.2f} {(len(ts) - 1) / span:.3f} {model:.2f}")
PY
}

echo "== engine alone: diffad score on $n images"
t0=$(date +%s.%N)
./diffad score --model "$model" --input "$work/in" --out "$work/score-out" \
  --batch 8 "${engine_opt[@]}" > "$work/score.log" 2>&1
t1=$(date +%s.%N)
read -r en es er em < <(rate "$work/score-out/scores.jsonl")
echo "== streaming job: diffad stream over the same folder"
./diffad stream --config "$work/stream.yaml" --until-idle 5 > "$work/stream.log" 2>&1
t2=$(date +%s.%N)
read -r sn ss sr sm < <(rate "$work/stream-out/scores.jsonl")
python3 - <<PY
en, sn, er, sr = $en, $sn, $er, $sr
print(f"engine alone : {en} records, steady {er:.3f} records/s, wall {$t1 - $t0:.1f} s")
print(f"stream job   : {sn} records, steady {sr:.3f} records/s, wall {$t2 - $t1:.1f} s (includes 5 s idle wait)")
print(f"ratio stream/engine (steady state): {sr / er:.3f}")
print(f"network share of the stream's steady span: {$sm / $ss:.3f}; outside the networks: {1 - $sm / $ss:.3f}")
print(f"network share of the engine's steady span: {$em / $es:.3f}")
PY
