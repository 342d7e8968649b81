#!/usr/bin/env bash
# Failover on a real multi-process Flink cluster (issue 13, items 1 and 2).
#
#   bench/cluster-failover.sh [RECORDS] [FILES] [RATE] [WORK]
#
# Builds the cluster jar (mvn -Pcluster: target/diffad-cluster.jar, the jar a user submits with
# flink run) and then, each in its own JVM on 127.0.0.1: a Kafka broker (KRaft, from the Maven
# jars), a JobManager (StandaloneSessionClusterEntrypoint) and two TaskManagers (TaskManagerRunner)
# whose classpath holds Flink, DJL/PyTorch and JavaCPP/OpenCV (parent-first), as lib/ of a Flink
# distribution with the flink-lib jars does (README, "Running on a Flink cluster").
#
# Streaming: the stream job (Kafka -> Kafka, exactly once, checkpoints every 2 s to WORK/checkpoints,
# fixed-delay restarts) is submitted with flink run; RECORDS (default 2,000) input records are
# written at RATE per second (default 50); once a quarter are committed and more are in flight, a
# TaskManager holding tasks is killed with SIGKILL; the job restarts on the survivor; when it is
# idle, a read_committed consumer counts every input id in diffad.scores / diffad.rejected and
# every alert in diffad.alerts.
# Batch: a third TaskManager replaces the dead one; the batch job denoises FILES (default 500)
# images once uninterrupted (the reference) and once with a TaskManager killed when a third is
# written, then is submitted again; every input must have exactly one record and its output file,
# byte-identical to the reference's.
#
# Ends with one line per job: "inputs N, scored once N, missing 0, duplicated 0, recovery S s" and
# exits non-zero if any input is missing or doubled (or any other check failed). Every JVM it
# started is stopped by its pid (WORK/pids), also on failure or Ctrl-C. Logs: WORK/logs,
# WORK/flink/logs. The model is a small U-Net trained at the start (a few seconds): failover does
# not depend on the model's size, and it keeps the run short.
set -euo pipefail
cd "$(dirname "$0")/.."
records="${1:-2000}"
files="${2:-500}"
rate="${3:-50}"
work="$(mkdir -p "${4:-runs/cluster-failover}" && cd "${4:-runs/cluster-failover}" && pwd)"

stop_all() {
  if [ -f "$work/pids" ]; then
    while read -r pid name; do
      if kill -0 "$pid" 2>/dev/null; then
        echo "cluster-failover: stopping $name (pid $pid)" >&2
        kill -9 "$pid" 2>/dev/null || true
      fi
    done < "$work/pids"
  fi
}
trap stop_all EXIT INT TERM

if [ -n "$(ls -A "$work")" ] && [ ! -f "$work/test.cp" ]; then
  echo "cluster-failover: $work is not empty and not an earlier run's folder; give another WORK" >&2
  exit 2
fi
rm -rf "${work:?}"/*
echo "cluster-failover: building the cluster jar (mvn -Pcluster) and the classpaths"
mvn -B -q -ntp -pl flink-jobs -am -Pcluster -DskipTests package dependency:build-classpath \
  -DincludeScope=test -Dmdep.outputFile="$work/test.cp"
# The cluster's lib/: what Flink, DJL and JavaCPP need at run time (scope provided, plus runtime
# for what they share with the job, e.g. lz4-java, which Flink's batch shuffle needs), less what
# only the job jar carries (diffad, the Kafka connector and client: no Flink distribution has
# them, and with the connector in lib/ its classes, org.apache.flink.*, load parent-first while
# kafka-clients loads child-first from the job jar: a ClassCastException at submission).
for scope in provided runtime; do
  mvn -B -q -ntp -pl flink-jobs -am -Pcluster dependency:build-classpath \
    -DincludeScope=$scope -Dmdep.outputFile="$work/$scope.cp"
done
cat "$work/provided.cp" <(echo) "$work/runtime.cp" | tr ':' '\n' | grep -v -e '^$' \
  -e '/diffad-[a-z]*-[0-9]' -e "^$PWD/" -e '/flink-connector-kafka/' -e '/kafka-clients/' | awk '!seen[$0]++' \
  | paste -sd: > "$work/cluster.cp"
jar="$PWD/flink-jobs/target/diffad-cluster.jar"
echo "cluster-failover: job jar $jar ($(du -h "$jar" | cut -f1)), cluster classpath: $(tr ':' '\n' < "$work/cluster.cp" | wc -l) jars"

java -Xmx2g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 \
  -cp "$PWD/flink-jobs/target/test-classes:$PWD/flink-jobs/target/classes:$(cat "$work/test.cp")" \
  ai.diffad.flink.cluster.ClusterFailover "$work" "$jar" "$work/cluster.cp" "$work/test.cp" \
  "$records" "$files" "$rate"
