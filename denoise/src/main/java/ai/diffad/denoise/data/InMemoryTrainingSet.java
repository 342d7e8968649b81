package ai.diffad.denoise.data;

import ai.diffad.model.train.TrainingSet;
import java.util.List;

/** A {@link TrainingSet} over decoded images held in memory. */
public final class InMemoryTrainingSet implements TrainingSet {
  /** One item: planar floats in [-1, 1], its size and label (-1 for none). */
  public record Item(float[] data, int height, int width, int label) {}

  private final List<Item> items;
  private final int channels;
  private final String description;

  /** Wraps decoded items; all must have {@code channels} planes. */
  public InMemoryTrainingSet(List<Item> items, int channels, String description) {
    if (items.isEmpty()) {
      throw new IllegalArgumentException("no training items in " + description);
    }
    for (Item it : items) {
      if (it.data().length != channels * it.height() * it.width()) {
        throw new IllegalArgumentException("item size does not match " + channels + " channels");
      }
    }
    this.items = List.copyOf(items);
    this.channels = channels;
    this.description = description;
  }

  @Override
  public int size() {
    return items.size();
  }

  @Override
  public int channels() {
    return channels;
  }

  @Override
  public int height(int i) {
    return items.get(i).height();
  }

  @Override
  public int width(int i) {
    return items.get(i).width();
  }

  @Override
  public float[] item(int i) {
    return items.get(i).data();
  }

  @Override
  public int label(int i) {
    return items.get(i).label();
  }

  @Override
  public String description() {
    return description;
  }
}
