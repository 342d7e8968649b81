package ai.diffad.flink.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.util.Map;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.groups.AbstractMetricGroup;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.groups.InternalSourceSplitMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskMetricGroup;
import org.apache.flink.util.clock.SystemClock;
import org.junit.jupiter.api.Test;

/**
 * The workaround for Flink 2.2.1 keeping a finished split's metric group forever: the groups of
 * finished splits are removed from the source operator's {@code split} group (found from another
 * operator of the same task, as the decode step does), those of splits still read are kept.
 */
class SplitMetricGroupsTest {
  @SuppressWarnings("unchecked")
  private static Map<String, ?> groups(MetricGroup g) throws Exception {
    Field f = AbstractMetricGroup.class.getDeclaredField("groups");
    f.setAccessible(true);
    return (Map<String, ?>) f.get(g);
  }

  @Test
  void finishedSplitGroupsAreRemovedAndOpenOnesKept() throws Exception {
    // real groups (the unregistered ones do not keep their operators), with a registry that
    // reports nowhere
    TaskMetricGroup task = org.apache.flink.runtime.metrics.groups.TaskManagerMetricGroup
        .createTaskManagerMetricGroup(org.apache.flink.runtime.metrics.NoOpMetricRegistry.INSTANCE,
            "localhost", org.apache.flink.runtime.clusterframework.types.ResourceID.generate())
        .addJob(new org.apache.flink.api.common.JobID(), "job")
        .addTask(org.apache.flink.runtime.executiongraph.ExecutionAttemptID.randomId(), "source -> decode");
    InternalOperatorMetricGroup source = task.getOrAddOperator("source");
    InternalOperatorMetricGroup decode = task.getOrAddOperator("decode");
    InternalSourceSplitMetricGroup[] splits = new InternalSourceSplitMetricGroup[5];
    for (int i = 0; i < splits.length; i++) {
      splits[i] = InternalSourceSplitMetricGroup.wrap(source, SystemClock.getInstance(), "s" + i, () -> 0L);
    }
    MetricGroup split = (MetricGroup) groups(source).get("split");
    assertThat(groups(split)).hasSize(5);
    for (int i = 0; i < 3; i++) {
      splits[i].onSplitFinished(); // what the source operator does: closes split.<id>.watermark
    }
    // Flink 2.2.1 keeps all five (the leak)
    assertThat(groups(split)).hasSize(5);

    assertThat(SplitMetricGroups.pruneFinished(decode)).isEqualTo(3);
    assertThat(groups(split)).containsOnlyKeys("s3", "s4");
    assertThat(SplitMetricGroups.pruneFinished(decode)).isZero();
    splits[4].onSplitFinished();
    assertThat(SplitMetricGroups.pruneFinished(source)).isEqualTo(1);
    assertThat(groups(split)).containsOnlyKeys("s3");
    // a split seen again after pruning gets a fresh group
    InternalSourceSplitMetricGroup.wrap(source, SystemClock.getInstance(), "s0", () -> 0L);
    assertThat(groups(split)).containsOnlyKeys("s0", "s3");
  }
}
