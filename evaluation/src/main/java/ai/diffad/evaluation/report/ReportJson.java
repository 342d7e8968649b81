package ai.diffad.evaluation.report;

import ai.diffad.denoise.io.ImageEncoder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * {@code report.json}: pretty-printed JSON of whatever the runner hands over — usually a {@link
 * LinkedHashMap} of {@code image_auroc}, {@code pixel_auroc}, {@code aupro}, {@code f1_max}, the
 * per-defect AUROC, the threshold and its source, the model fingerprint, the configuration and the
 * timings, with nested maps, lists, arrays and records.
 *
 * <p>Key order is stable: {@link LinkedHashMap} and {@link SortedMap} keep their order, records
 * keep component order, and any other map ({@link java.util.HashMap}, {@code Map.of}) is sorted by
 * key. JSON has no NaN or infinity: such numbers are written as {@code null} and listed (as JSON
 * pointers such as {@code /per_defect/crack}) in the return value and a warning log line; {@link
 * #writeStrict} refuses them instead. {@link Path}, {@link Duration}, {@link Enum} and {@code
 * java.time} values are written as their strings.
 */
public final class ReportJson {
  private static final System.Logger LOG = System.getLogger(ReportJson.class.getName());
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ReportJson() {}

  /**
   * Writes {@code content} as pretty JSON, atomically, non-finite numbers as null.
   *
   * @return JSON pointers of the values that were NaN or infinite and written as null (empty when
   *     all were finite)
   */
  public static List<String> write(Path file, Object content) throws IOException {
    List<String> nonFinite = new ArrayList<>();
    String json = toJson(content, nonFinite);
    for (String p : nonFinite) {
      LOG.log(System.Logger.Level.WARNING,
          "{0}: {1} is not a finite number; written as null", file.getFileName(), p);
    }
    ImageEncoder.writeAtomically(file, json.getBytes(StandardCharsets.UTF_8));
    return Collections.unmodifiableList(nonFinite);
  }

  /**
   * Writes {@code content} as pretty JSON, atomically, or refuses it.
   *
   * @throws IllegalArgumentException naming every NaN or infinite value; nothing is written
   */
  public static void writeStrict(Path file, Object content) throws IOException {
    List<String> nonFinite = new ArrayList<>();
    String json = toJson(content, nonFinite);
    if (!nonFinite.isEmpty()) {
      throw new IllegalArgumentException(file.getFileName()
          + ": JSON has no NaN or infinity, but these values are not finite: " + nonFinite);
    }
    ImageEncoder.writeAtomically(file, json.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The pretty JSON text of {@code content} (ending with a newline), non-finite numbers as null.
   *
   * @param nonFinite receives the JSON pointer of every non-finite number
   */
  public static String toJson(Object content, List<String> nonFinite) {
    try {
      return MAPPER.writeValueAsString(toTree(content, nonFinite)) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write report JSON: " + e.getMessage(), e);
    }
  }

  /** The JSON tree of {@code content}, non-finite numbers as null nodes listed in {@code nonFinite}. */
  public static JsonNode toTree(Object content, List<String> nonFinite) {
    return node(content, "", nonFinite);
  }

  private static JsonNode node(Object v, String path, List<String> nonFinite) {
    if (v == null) {
      return NODES.nullNode();
    }
    if (v instanceof Optional<?> o) {
      return node(o.orElse(null), path, nonFinite);
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (!Double.isFinite(d)) {
        nonFinite.add(path.isEmpty() ? "/" : path);
        return NODES.nullNode();
      }
      return v instanceof Float f ? NODES.numberNode(f) : NODES.numberNode(d);
    }
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return NODES.numberNode(((Number) v).longValue());
    }
    if (v instanceof BigDecimal b) {
      return NODES.numberNode(b);
    }
    if (v instanceof BigInteger b) {
      return NODES.numberNode(b);
    }
    if (v instanceof Boolean b) {
      return NODES.booleanNode(b);
    }
    if (v instanceof CharSequence || v instanceof Character || v instanceof Path
        || v instanceof Enum<?> || v instanceof Duration || v instanceof TemporalAccessor) {
      return NODES.textNode(v.toString());
    }
    if (v instanceof JsonNode j) {
      return sanitize(j.deepCopy(), path, nonFinite);
    }
    if (v instanceof Map<?, ?> m) {
      Map<?, ?> ordered = m instanceof LinkedHashMap<?, ?> || m instanceof SortedMap<?, ?>
          ? m : sorted(m);
      ObjectNode o = NODES.objectNode();
      for (Map.Entry<?, ?> e : ordered.entrySet()) {
        String key = String.valueOf(e.getKey());
        o.set(key, node(e.getValue(), path + "/" + escapePointer(key), nonFinite));
      }
      return o;
    }
    if (v instanceof Iterable<?> it) {
      ArrayNode a = NODES.arrayNode();
      int i = 0;
      for (Object x : it) {
        a.add(node(x, path + "/" + i++, nonFinite));
      }
      return a;
    }
    if (v.getClass().isArray()) {
      ArrayNode a = NODES.arrayNode();
      int n = Array.getLength(v);
      for (int i = 0; i < n; i++) {
        a.add(node(Array.get(v, i), path + "/" + i, nonFinite));
      }
      return a;
    }
    if (v instanceof Record r) {
      ObjectNode o = NODES.objectNode();
      for (RecordComponent c : r.getClass().getRecordComponents()) {
        Object x;
        try {
          c.getAccessor().setAccessible(true);
          x = c.getAccessor().invoke(r);
        } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
          throw new IllegalArgumentException("cannot read " + r.getClass().getSimpleName() + "."
              + c.getName() + " for the report: " + e, e);
        }
        o.set(c.getName(), node(x, path + "/" + escapePointer(c.getName()), nonFinite));
      }
      return o;
    }
    // Other beans: Jackson's own mapping (maps inside sorted by key), then the same NaN check.
    return sanitize(MAPPER.valueToTree(v), path, nonFinite);
  }

  private static Map<String, Object> sorted(Map<?, ?> m) {
    Map<String, Object> t = new TreeMap<>();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (t.put(String.valueOf(e.getKey()), e.getValue()) != null) {
        throw new IllegalArgumentException("two keys print as '" + e.getKey() + "'");
      }
    }
    return t;
  }

  private static JsonNode sanitize(JsonNode n, String path, List<String> nonFinite) {
    if (n.isFloatingPointNumber() && !Double.isFinite(n.doubleValue())) {
      nonFinite.add(path.isEmpty() ? "/" : path);
      return NODES.nullNode();
    }
    if (n instanceof ObjectNode o) {
      Iterator<Map.Entry<String, JsonNode>> it = o.fields();
      List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
      it.forEachRemaining(entries::add);
      for (Map.Entry<String, JsonNode> e : entries) {
        o.set(e.getKey(), sanitize(e.getValue(), path + "/" + escapePointer(e.getKey()),
            nonFinite));
      }
      return o;
    }
    if (n instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        a.set(i, sanitize(a.get(i), path + "/" + i, nonFinite));
      }
      return a;
    }
    return n;
  }

  /** RFC 6901: ~ as ~0, / as ~1. */
  private static String escapePointer(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }
}
