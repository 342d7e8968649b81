package ai.diffad.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.diffad.config.OnlineConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the stream job is laid out, from its stream graph (nothing runs: the model is read only
 * when the operators open).
 */
class StreamJobWiringTest {
  @TempDir Path dir;

  private Map<String, Integer> parallelism(StreamJob job) {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    job.wire(env);
    Map<String, Integer> out = new TreeMap<>();
    for (StreamNode n : env.getStreamGraph().getStreamNodes()) {
      String name = n.getOperatorName();
      String key = name.startsWith("Source") ? "source" : name.startsWith("decode") ? "decode"
          : name.startsWith("score, learning online") ? "score" : null;
      if (key != null) {
        out.put(key, n.getParallelism());
      }
    }
    return out;
  }

  private StreamJob.Builder folderJob() {
    return StreamJob.builder().model(dir.resolve("model")).input(dir.resolve("in"))
        .output(dir.resolve("out")).parallelism(2);
  }

  /**
   * Learning online, a folder is read and decoded by one subtask (a source's chunks in name
   * order, none overtaking another) and scored by all; without it every step has the job's
   * parallelism.
   */
  @Test
  void aJobThatLearnsOnlineReadsAFolderWithOneSubtaskAndScoresWithAll() {
    StreamJob online = folderJob().online(new OnlineConfig(500, 5, 16, 2e-4, 2000))
        .checkpointDir(dir.resolve("ck").toString()).build();
    assertThat(parallelism(online)).containsEntry("source", 1).containsEntry("decode", 1)
        .containsEntry("score", 2);
    assertThat(parallelism(folderJob().build())).containsEntry("source", 2)
        .containsEntry("decode", 2);
  }

  @Test
  void learningOnlineWithoutACheckpointFolderIsRefused() {
    assertThatThrownBy(() -> folderJob().online(new OnlineConfig(500, 5, 16, 2e-4, 2000)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("set checkpointing.dir");
  }
}
