package ai.diffad.flink.feed;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Optional;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.assigners.FileSplitAssigner;

/**
 * Hands out a folder's files in the order the enumerator lists them ({@link FolderEnumerator}:
 * name order, folder by folder), and files found by a later scan after the earlier ones. Flink's
 * default assigner keeps splits in a hash set and its simple one takes the last first, so a
 * folder of {@code 000001.csv, 000002.csv, ...} was read in no useful order; a feed written in
 * sequence (camera frames, a sensor's consecutive chunks) is read as written, which is what a
 * per-source online learner needs (its rows in time order). With one reader the records follow
 * this order; with several each reader asks for the next file when it is free.
 */
public final class InOrderSplitAssigner implements FileSplitAssigner {
  private final ArrayDeque<FileSourceSplit> splits;

  /** @param initial splits in the order to hand them out (restored ones first after a restart) */
  public InOrderSplitAssigner(Collection<FileSourceSplit> initial) {
    this.splits = new ArrayDeque<>(initial);
  }

  @Override
  public Optional<FileSourceSplit> getNext(String hostname) {
    return Optional.ofNullable(splits.pollFirst());
  }

  @Override
  public void addSplits(Collection<FileSourceSplit> more) {
    splits.addAll(more);
  }

  @Override
  public Collection<FileSourceSplit> remainingSplits() {
    return new ArrayList<>(splits);
  }
}
