package ai.diffad.flink.batch;

import ai.diffad.denoise.io.DecodedImage;
import ai.diffad.denoise.io.ImageFormat;

/**
 * A decoded image of the batch job with what it takes to write the denoised image back like it
 * (format, bit depth, channels as stored, alpha). A Java record, so Flink serializes it as a POJO.
 *
 * @param id the path relative to the input folder, '/'-separated
 * @param source its first folder, or null
 * @param data planar (C, H, W) in [-1, 1] with the model's C
 * @param channels the model's C
 * @param height H
 * @param width W
 * @param imageChannels colour planes of the decoded image (1 or 3)
 * @param sourceChannels channels stored in the file (1, 3 or 4)
 * @param bitDepth 8 or 16
 * @param alpha the alpha plane in [-1, 1], or null
 * @param format the file's container
 * @param decodeMs time spent decoding
 * @param receivedAt epoch milliseconds when the input was taken in (for end-to-end latency)
 */
public record ImageInput(String id, String source, float[] data, int channels, int height,
    int width, int imageChannels, int sourceChannels, int bitDepth, float[] alpha,
    ImageFormat format, double decodeMs, long receivedAt) {

  /** From a decoded image and the model's channel count. */
  public static ImageInput of(String id, String source, DecodedImage img, int modelChannels,
      double decodeMs, long receivedAt) {
    return new ImageInput(id, source, img.planes(modelChannels), modelChannels, img.height(),
        img.width(), img.channels(), img.sourceChannels(), img.bitDepth(), img.alpha(),
        img.format(), decodeMs, receivedAt);
  }

  /** A {@link DecodedImage} "like" this input holding {@code planes} (imageChannels of them). */
  public DecodedImage like(float[] planes) {
    return new DecodedImage(planes, alpha, imageChannels, height, width, bitDepth, sourceChannels,
        format);
  }

  @Override
  public String toString() {
    return "ImageInput[" + id + ", " + sourceChannels + "x" + height + "x" + width + ", "
        + bitDepth + " bit " + format + "]";
  }
}
