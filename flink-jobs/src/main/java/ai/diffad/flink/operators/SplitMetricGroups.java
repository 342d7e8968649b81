package ai.diffad.flink.operators;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.groups.AbstractMetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works around a heap leak of Flink 2.2.1's sources (FLINK-40549, fixed after 2.2.1): the
 * source operator opens a metric group {@code split.<splitId>.watermark} for every split and
 * closes it when the split finishes, but a closed group stays in its parent's map. The folder
 * sources make one split per file, so each input left about 1 KiB of heap behind for the life of
 * the job (measured with {@code diffad bench stream-soak}: heap after GC +1.5 KiB per input, of
 * which these groups were two thirds).
 *
 * <p>{@link #pruneFinished} removes, from every operator of the caller's task, the split groups
 * whose subgroups are all closed (their gauges are already unregistered from the reporters); a
 * split still being read keeps its open group. It is called from the decode step, which runs in
 * the source's task (chained) and so on the same thread that adds split groups. If Flink's
 * classes are not laid out as expected it does nothing and says so once; with a Flink that
 * removes closed groups itself it finds nothing to do.
 */
public final class SplitMetricGroups {
  private static final Logger LOG = LoggerFactory.getLogger(SplitMetricGroups.class);
  private static final Field PARENT;
  private static final Field GROUPS;
  private static final Field METRICS;
  private static final Field OPERATORS;
  private static volatile boolean warned;
  private static volatile boolean told;

  static {
    Field p = null;
    Field g = null;
    Field m = null;
    Field o = null;
    try {
      o = org.apache.flink.runtime.metrics.groups.TaskMetricGroup.class.getDeclaredField("operators");
      o.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      o = null; // then the operators are looked for among the task's subgroups
    }
    try {
      p = AbstractMetricGroup.class.getDeclaredField("parent");
      g = AbstractMetricGroup.class.getDeclaredField("groups");
      m = AbstractMetricGroup.class.getDeclaredField("metrics");
      p.setAccessible(true);
      g.setAccessible(true);
      m.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.info("split metric groups are not pruned (Flink's metric groups changed: {})", e.toString());
      p = null;
    }
    PARENT = p;
    GROUPS = g;
    METRICS = m;
    OPERATORS = o;
  }

  private SplitMetricGroups() {}

  /**
   * Removes the finished split groups of every operator in the task of {@code operatorGroup}.
   *
   * @param operatorGroup an operator's metric group (from its runtime context)
   * @return the groups removed
   */
  public static int pruneFinished(MetricGroup operatorGroup) {
    if (PARENT == null || !(operatorGroup instanceof AbstractMetricGroup<?> op)) {
      return 0;
    }
    try {
      Object task = PARENT.get(op);
      if (!(task instanceof AbstractMetricGroup<?> t)) {
        return 0;
      }
      int removed = 0;
      List<AbstractMetricGroup<?>> operators = new ArrayList<>(children(t));
      if (OPERATORS != null && t instanceof org.apache.flink.runtime.metrics.groups.TaskMetricGroup) {
        synchronized (t) {
          for (Object v : ((Map<?, ?>) OPERATORS.get(t)).values()) {
            operators.add((AbstractMetricGroup<?>) v);
          }
        }
      }
      for (AbstractMetricGroup<?> operator : operators) {
        AbstractMetricGroup<?> split = child(operator, "split");
        if (split == null) {
          continue;
        }
        synchronized (split) {
          Map<String, AbstractMetricGroup<?>> perSplit = groups(split);
          var it = perSplit.values().iterator();
          while (it.hasNext()) {
            if (finished(it.next())) {
              it.remove();
              removed++;
            }
          }
        }
      }
      if (removed > 0 && !told) {
        told = true;
        LOG.info("removed {} finished split metric groups (FLINK-40549 workaround); removing them as"
            + " splits finish", removed);
      }
      return removed;
    } catch (ReflectiveOperationException | RuntimeException e) {
      if (!warned) {
        warned = true;
        LOG.warn("cannot prune finished split metric groups: {}", e.toString());
        if (Boolean.getBoolean("diffad.debug")) {
          e.printStackTrace();
        }
      }
      return 0;
    }
  }

  /** A split's group is finished when it has subgroups, all closed, and no metrics of its own. */
  private static boolean finished(AbstractMetricGroup<?> g) throws ReflectiveOperationException {
    if (!((Map<?, ?>) METRICS.get(g)).isEmpty()) {
      return false;
    }
    List<AbstractMetricGroup<?>> subs = children(g);
    if (subs.isEmpty()) {
      return false;
    }
    for (AbstractMetricGroup<?> s : subs) {
      if (!s.isClosed()) {
        return false;
      }
    }
    return true;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, AbstractMetricGroup<?>> groups(AbstractMetricGroup<?> g)
      throws ReflectiveOperationException {
    return (Map<String, AbstractMetricGroup<?>>) GROUPS.get(g);
  }

  private static List<AbstractMetricGroup<?>> children(AbstractMetricGroup<?> g)
      throws ReflectiveOperationException {
    synchronized (g) {
      return new ArrayList<>(groups(g).values());
    }
  }

  private static AbstractMetricGroup<?> child(AbstractMetricGroup<?> g, String name)
      throws ReflectiveOperationException {
    synchronized (g) {
      return groups(g).get(name);
    }
  }
}
