package ai.diffad.flink.feed;

import ai.diffad.denoise.record.RejectReason;
import ai.diffad.denoise.record.RejectedInputException;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Arrays;
import java.util.Base64;

/**
 * One input of a feed: where the data are (a file {@code path}), or the data themselves (encoded
 * image or sensor bytes as {@code base64}, or a {@code tensor} of numbers). Exactly one of the
 * three is set. Feeds deliver these as JSON (a Kafka topic, a JSON-lines file); the directory
 * watch makes one per new file.
 *
 * <pre>{@code
 * {"id": "cam3/000123.png", "source": "cam3", "path": "/data/cam3/000123.png"}
 * {"id": "cam3/000124.png", "source": "cam3", "base64": "iVBORw0KGgo..."}
 * {"id": "pump7/w42", "source": "pump7", "tensor": {"shape": [2, 128], "data": [0.1, ...]}}
 * }</pre>
 *
 * <p>A tensor for an image model is planar (C, H, W) or (H, W), values in the model's range
 * [-1, 1]; for a sensor model it is (C, L) in raw units, normalised like the training data.
 *
 * @param id the input's id, carried into its one result or rejection record
 * @param source the feed it came from (camera, folder), or null
 * @param path a file to read
 * @param base64 the encoded file's bytes (PNG/JPEG/BMP/TIFF, or CSV/JSON/.npy for sensors)
 * @param tensor the values themselves
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FeedRecord(String id, String source, String path, String base64, Tensor tensor) {

  /** Default cap on the decoded size of an inline (base64) input: 32 MiB. */
  public static final long DEFAULT_MAX_INLINE_BYTES = 32L << 20;

  /**
   * Numbers with a shape.
   *
   * @param shape the dimensions, outermost first
   * @param data the values in row-major order; their count is the product of {@code shape}
   */
  public record Tensor(int[] shape, float[] data) {
    /** The product of the shape, or -1 if a dimension is not positive. */
    public long elements() {
      if (shape == null || shape.length == 0) {
        return -1;
      }
      long n = 1;
      for (int d : shape) {
        if (d <= 0) {
          return -1;
        }
        n *= d;
      }
      return n;
    }

    @Override
    public String toString() {
      return "Tensor" + Arrays.toString(shape);
    }
  }

  /** A record naming a file. */
  public static FeedRecord ofPath(String id, String source, String path) {
    return new FeedRecord(id, source, path, null, null);
  }

  /** Which of path, base64 and tensor this record carries. */
  public enum Payload {
    /** A file to read. */
    PATH,
    /** Inline encoded bytes. */
    BASE64,
    /** Inline values. */
    TENSOR
  }

  /** The payload kind (the record is valid: exactly one is set). */
  public Payload payload() {
    return path != null ? Payload.PATH : base64 != null ? Payload.BASE64 : Payload.TENSOR;
  }

  /**
   * The inline bytes, decoded from base64.
   *
   * @throws RejectedInputException MALFORMED if they are not valid base64 (line breaks are allowed)
   */
  public byte[] bytes() throws RejectedInputException {
    try {
      // Strict alphabet; line breaks (MIME-style wrapping) are allowed and dropped.
      String text = base64.chars().anyMatch(Character::isWhitespace)
          ? base64.replaceAll("\\s+", "") : base64;
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new RejectedInputException(RejectReason.MALFORMED, "base64 field is not valid base64: "
          + e.getMessage());
    }
  }

  /**
   * Parses one JSON record and checks it: an object with a non-empty {@code id} (a record naming
   * a path may omit it; the path is the id then), exactly one of path / base64 / tensor, a base64
   * payload of at most {@code maxInlineBytes} decoded bytes, a tensor whose shape matches its
   * data.
   *
   * @param json the record's text
   * @param maxInlineBytes cap on the decoded size of a base64 payload
   * @param fallbackId the id for the rejection when the record has none (e.g. topic/partition/offset)
   * @throws RejectedInputException MALFORMED (not JSON, missing or conflicting fields, shape
   *     mismatch) or TOO_LARGE (base64 over the cap); the exception's message says which, and
   *     {@link #idOf(String, String)} gives the id to report it under
   */
  public static FeedRecord parse(String json, long maxInlineBytes, String fallbackId)
      throws RejectedInputException {
    if (json == null || json.isBlank()) {
      throw new RejectedInputException(RejectReason.EMPTY, "empty feed record");
    }
    JsonNode node;
    try {
      node = mapper(maxInlineBytes).readTree(json);
    } catch (StreamConstraintsException e) {
      // Only a string over the cap is TOO_LARGE; nesting deeper than Jackson's limit (1000) or a
      // number of over 1000 digits is no feed record at all.
      String m = firstLine(e.getOriginalMessage());
      if (m.contains("getMaxStringLength") || m.startsWith("String value length")) {
        throw new RejectedInputException(RejectReason.TOO_LARGE, "feed record has a field over the "
            + maxInlineBytes + "-byte inline cap: " + m);
      }
      throw new RejectedInputException(RejectReason.MALFORMED, "not a feed record: " + m);
    } catch (JsonProcessingException e) {
      throw new RejectedInputException(RejectReason.MALFORMED, "not a JSON feed record: "
          + firstLine(e.getOriginalMessage()));
    }
    if (node == null || !node.isObject()) {
      throw new RejectedInputException(RejectReason.MALFORMED,
          "a feed record must be a JSON object, got " + (node == null ? "nothing" : node.getNodeType()));
    }
    FeedRecord r;
    try {
      r = mapper(maxInlineBytes).treeToValue(node, FeedRecord.class);
    } catch (JsonProcessingException e) {
      throw new RejectedInputException(RejectReason.MALFORMED, "bad feed record field: "
          + firstLine(e.getOriginalMessage()));
    }
    if ((r.id() == null || r.id().isBlank()) && r.path() != null) {
      r = new FeedRecord(r.path(), r.source(), r.path(), r.base64(), r.tensor());
    }
    r.validate(maxInlineBytes, fallbackId);
    return r;
  }

  /**
   * Longest id or source a rejection is reported under; a longer one (the record was refused for
   * a field over the cap, perhaps that one) gives way to the fallback, so that the rejection
   * record stays small enough for the rejected topic.
   */
  static final int MAX_NAME = 1024;

  /**
   * The id to report a rejection of {@code json} under: its {@code id} (or {@code path}) field if
   * one can be read and is at most {@value #MAX_NAME} characters, else {@code fallbackId}.
   */
  public static String idOf(String json, String fallbackId) {
    try {
      JsonNode node = LENIENT.readTree(json);
      if (node != null && node.isObject()) {
        for (String f : new String[] {"id", "path"}) {
          JsonNode v = node.get(f);
          if (v != null && v.isTextual() && !v.asText().isBlank() && v.asText().length() <= MAX_NAME) {
            return v.asText();
          }
        }
      }
    } catch (JsonProcessingException | RuntimeException e) {
      // unreadable: the fallback names it
    }
    return fallbackId;
  }

  /**
   * The {@code source} field of {@code json} if one can be read and is at most {@value #MAX_NAME}
   * characters, else null (for rejections).
   */
  public static String sourceOf(String json) {
    try {
      JsonNode node = json == null ? null : LENIENT.readTree(json);
      if (node != null && node.isObject()) {
        JsonNode v = node.get("source");
        if (v != null && v.isTextual() && !v.asText().isBlank() && v.asText().length() <= MAX_NAME) {
          return v.asText();
        }
      }
    } catch (JsonProcessingException | RuntimeException e) {
      // unreadable: no source
    }
    return null;
  }

  /**
   * Checks the record's shape (see {@link #parse}).
   *
   * @throws RejectedInputException MALFORMED or TOO_LARGE
   */
  public void validate(long maxInlineBytes, String fallbackId) throws RejectedInputException {
    if (id == null || id.isBlank()) {
      throw new RejectedInputException(RejectReason.MALFORMED,
          "feed record " + fallbackId + " has no id");
    }
    int set = (path != null ? 1 : 0) + (base64 != null ? 1 : 0) + (tensor != null ? 1 : 0);
    if (set != 1) {
      throw new RejectedInputException(RejectReason.MALFORMED, "feed record " + id + " must carry"
          + " exactly one of path, base64 and tensor, it has " + set);
    }
    if (path != null && path.isBlank()) {
      throw new RejectedInputException(RejectReason.MALFORMED, "feed record " + id + " has an empty path");
    }
    if (base64 != null) {
      if (base64.isEmpty()) {
        throw new RejectedInputException(RejectReason.EMPTY, "feed record " + id + " has an empty base64 payload");
      }
      long decoded = (long) base64.length() * 3 / 4;
      if (decoded > maxInlineBytes) {
        throw new RejectedInputException(RejectReason.TOO_LARGE, "base64 payload of about " + decoded
            + " bytes exceeds the inline cap of " + maxInlineBytes + " bytes");
      }
    }
    if (tensor != null) {
      long n = tensor.elements();
      if (n < 0) {
        throw new RejectedInputException(RejectReason.MALFORMED, "tensor of " + id
            + " needs a shape of positive dimensions, got "
            + (tensor.shape() == null ? "none" : Arrays.toString(tensor.shape())));
      }
      if (tensor.data() == null || tensor.data().length != n) {
        throw new RejectedInputException(RejectReason.MALFORMED, "tensor of " + id + " has shape "
            + Arrays.toString(tensor.shape()) + " = " + n + " values but "
            + (tensor.data() == null ? "no data" : tensor.data().length + " data values"));
      }
    }
  }

  @Override
  public String toString() {
    return "FeedRecord[id=" + id + ", source=" + source + ", "
        + (path != null ? "path=" + path : base64 != null ? "base64(" + base64.length() + " chars)"
            : String.valueOf(tensor)) + "]";
  }

  private static final ObjectMapper LENIENT = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  private static final java.util.concurrent.ConcurrentHashMap<Long, ObjectMapper> MAPPERS =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** A strict mapper whose longest string is the base64 form of {@code maxInlineBytes}. */
  private static ObjectMapper mapper(long maxInlineBytes) {
    return MAPPERS.computeIfAbsent(maxInlineBytes, cap -> {
      long chars = Math.min(Integer.MAX_VALUE - 64L, cap / 3 * 4 + 64);
      com.fasterxml.jackson.core.JsonFactory f = com.fasterxml.jackson.core.JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder()
              .maxStringLength((int) Math.max(1024, chars))
              .build())
          .build();
      return JsonMapper.builder(f)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .build();
    });
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
