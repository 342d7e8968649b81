package ai.diffad.flink.batch;

import java.util.Arrays;

/**
 * Images denoised by one call of the denoise operator: the batcher's output. An array so Flink
 * serializes it with the POJO serializer of {@link ImageInput}.
 *
 * @param items the images, in arrival order
 */
public record ImageBatch(ImageInput[] items) {
  /** Number of images. */
  public int size() {
    return items.length;
  }

  @Override
  public String toString() {
    return "ImageBatch" + Arrays.stream(items).map(ImageInput::id).toList();
  }
}
