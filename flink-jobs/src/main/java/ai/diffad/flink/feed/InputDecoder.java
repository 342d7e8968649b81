package ai.diffad.flink.feed;

import ai.diffad.denoise.record.DecodedInput;
import ai.diffad.config.EngineConfig;
import ai.diffad.config.SeriesContext;
import ai.diffad.denoise.io.DailyContext;
import ai.diffad.denoise.io.DecodedImage;
import ai.diffad.denoise.io.ImageDecoder;
import ai.diffad.denoise.io.SensorReader;
import ai.diffad.denoise.io.SensorSeries;
import ai.diffad.denoise.io.SensorStats;
import ai.diffad.denoise.record.RejectReason;
import ai.diffad.denoise.record.RejectedInputException;
import ai.diffad.denoise.record.Rejection;
import ai.diffad.model.artifact.ModelManifest;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Turns a {@link FeedRecord} into what the model takes, or into its one rejection: images are
 * decoded (pixel cap checked on the header first) and converted to the model's channels; series
 * are read, checked against the model's channels and window, and normalised with the training
 * statistics. Never throws for a bad input. Needs the model's manifest only (no weights), so it is
 * cheap to build in every decode subtask. Immutable and thread-safe.
 */
public final class InputDecoder {
  private final ImageDecoder images;
  private final SensorReader sensors;
  private final SeriesContext context;
  private final boolean sensorModel;
  private final int channels;
  private final long maxPixels;
  private final long maxSensorValues;
  private final int window;
  private final SensorStats stats;
  private final long maxInlineBytes;

  /**
   * @param manifest the model's manifest (input layout, channels, window, training statistics)
   * @param engine pixel and value caps
   * @param maxInlineBytes cap on the decoded size of a base64 payload
   */
  public InputDecoder(ModelManifest manifest, EngineConfig engine, long maxInlineBytes) {
    ModelManifest.InputSpec in = manifest.input();
    this.sensorModel = in.isSeries();
    this.channels = in.channels();
    this.window = in.size();
    this.maxPixels = engine.maxPixels();
    this.maxSensorValues = engine.maxSensorValues();
    this.images = ImageDecoder.of(engine);
    this.sensors = SensorReader.of(engine, window);
    this.context = manifest.config() == null ? SeriesContext.NONE
        : manifest.config().data().context();
    this.stats = in.channelMean() == null ? null : new SensorStats(in.channelMean(), in.channelStd());
    this.maxInlineBytes = maxInlineBytes;
  }

  /** Decodes one record; every outcome names the record's id and source. */
  public DecodeOutcome decode(FeedRecord r) {
    long receivedAt = System.currentTimeMillis();
    long t0 = System.nanoTime();
    String id = r.id() == null || r.id().isBlank() ? String.valueOf(r.path()) : r.id();
    try {
      r.validate(maxInlineBytes, id);
      DecodedInput d = sensorModel ? series(r) : image(r);
      double ms = Math.round((System.nanoTime() - t0) / 1e4) / 100.0;
      return new DecodeOutcome.Decoded(new DecodedInput(r.id(), r.source(), d.kind(), d.data(),
          d.channels(), d.height(), d.width(), ms, receivedAt));
    } catch (RejectedInputException e) {
      return new DecodeOutcome.Rejected(Rejection.of(id, r.source(), e));
    } catch (RuntimeException e) {
      return new DecodeOutcome.Rejected(Rejection.of(id, r.source(), RejectReason.PROCESSING_FAILED,
          e.getClass().getSimpleName() + ": " + e.getMessage()));
    }
  }

  private DecodedInput image(FeedRecord r) throws RejectedInputException {
    switch (r.payload()) {
      case PATH -> {
        return fromImage(r, images.decode(path(r)));
      }
      case BASE64 -> {
        return fromImage(r, images.decode(r.id(), r.bytes()));
      }
      default -> {
        FeedRecord.Tensor t = r.tensor();
        int[] s = t.shape();
        int c;
        int h;
        int w;
        if (s.length == 2) {
          c = 1;
          h = s[0];
          w = s[1];
        } else if (s.length == 3 && (s[0] == 1 || s[0] == 3)) {
          c = s[0];
          h = s[1];
          w = s[2];
        } else {
          throw new RejectedInputException(RejectReason.UNSUPPORTED_SHAPE, "image tensor of shape "
              + Arrays.toString(s) + ": an image model takes (H, W) or (C, H, W) with C = 1 or 3");
        }
        if ((long) h * w > maxPixels) {
          throw new RejectedInputException(RejectReason.TOO_LARGE, "tensor of " + h + "x" + w
              + " = " + (long) h * w + " pixels, more than the cap of " + maxPixels + " (engine.maxPixels)");
        }
        requireFinite(t.data());
        float[] planes = DecodedImage.convert(t.data(), c, channels, h * w);
        return new DecodedInput(r.id(), r.source(), DecodedInput.IMAGE, planes, channels, h, w, 0);
      }
    }
  }

  private DecodedInput fromImage(FeedRecord r, DecodedImage img) {
    DecodedImage m = img.withChannels(channels);
    return new DecodedInput(r.id(), r.source(), DecodedInput.IMAGE, m.data(), channels,
        m.height(), m.width(), 0);
  }

  private DecodedInput series(FeedRecord r) throws RejectedInputException {
    SensorSeries s = switch (r.payload()) {
      case PATH -> sensors.read(path(r));
      case BASE64 -> {
        byte[] bytes = r.bytes();
        yield sensors.parse(r.id(), bytes, SensorReader.sniff(bytes));
      }
      case TENSOR -> seriesTensor(r.tensor());
    };
    float[] values = DailyContext.modelInput(channels, context, stats, s);
    return new DecodedInput(r.id(), r.source(), DecodedInput.SERIES, values, channels, 1,
        s.length(), 0);
  }

  private SensorSeries seriesTensor(FeedRecord.Tensor t) throws RejectedInputException {
    int[] s = t.shape();
    if (s.length != 1 && s.length != 2) {
      throw new RejectedInputException(RejectReason.UNSUPPORTED_SHAPE, "series tensor of shape "
          + Arrays.toString(s) + ": a sensor model takes (L) or (C, L)");
    }
    int c = s.length == 1 ? 1 : s[0];
    int len = s[s.length - 1];
    if (t.data().length > maxSensorValues) {
      throw new RejectedInputException(RejectReason.TOO_LARGE, "tensor of " + t.data().length
          + " values, more than the cap of " + maxSensorValues + " (engine.maxSensorValues)");
    }
    requireFinite(t.data());
    if (len < window) {
      throw new RejectedInputException(RejectReason.TOO_SHORT, "series of " + len
          + " steps is shorter than the model's window of " + window);
    }
    return new SensorSeries(t.data(), c, len, null);
  }

  private static Path path(FeedRecord r) throws RejectedInputException {
    try {
      return Path.of(r.path());
    } catch (InvalidPathException e) {
      throw new RejectedInputException(RejectReason.UNREADABLE, "not a valid path: " + e.getMessage());
    }
  }

  private static void requireFinite(float[] v) throws RejectedInputException {
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) {
        throw new RejectedInputException(RejectReason.NON_FINITE_VALUES,
            "tensor value " + i + " is " + v[i]);
      }
    }
  }
}
