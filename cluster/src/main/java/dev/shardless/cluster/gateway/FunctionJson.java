package dev.shardless.cluster.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shardless.scheduler.entity.FunctionEntity.RuntimeStatus;
import dev.shardless.scheduler.model.FieldError;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionRecord;
import dev.shardless.scheduler.model.FunctionSpec;
import dev.shardless.scheduler.model.Resources;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes the OpenFaaS gateway's JSON bodies (DESIGN.md §2): {@code FunctionDeployment}
 * in, {@code FunctionStatus} out. Reading checks every field's type and says which one is wrong;
 * unknown fields are ignored so newer clients keep working.
 */
public final class FunctionJson {
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private FunctionJson() {}

  /** Parses a JSON body to a tree, or says that it is not JSON. */
  public static JsonNode parse(String body) throws BadRequest {
    if (body == null || body.isBlank()) {
      throw new BadRequest("body", "is empty; expected a JSON object");
    }
    try {
      JsonNode node = MAPPER.readTree(body);
      if (node == null || !node.isObject()) {
        throw new BadRequest("body", "must be a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new BadRequest(
          "body",
          "is not valid JSON (line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + ")");
    }
  }

  /**
   * Reads a {@code FunctionDeployment}. {@code namespace} defaults to {@code defaultNamespace}.
   * Does not validate values (names, labels): see {@code FunctionSpecValidator}.
   */
  public static FunctionSpec readDeployment(JsonNode json, String defaultNamespace)
      throws BadRequest {
    List<FieldError> errors = new ArrayList<>();
    String service = string(json, "service", errors);
    String namespace = string(json, "namespace", errors);
    FunctionSpec spec =
        new FunctionSpec(
            new FunctionId(
                namespace == null || namespace.isEmpty() ? defaultNamespace : namespace,
                service == null ? "" : service),
            string(json, "image", errors),
            string(json, "envProcess", errors),
            stringMap(json, "envVars", errors),
            stringList(json, "constraints", errors),
            stringList(json, "secrets", errors),
            stringMap(json, "labels", errors),
            stringMap(json, "annotations", errors),
            resources(json, "limits", errors),
            resources(json, "requests", errors),
            bool(json, "readOnlyRootFilesystem", errors));
    if (!errors.isEmpty()) {
      throw new BadRequest(errors);
    }
    return spec;
  }

  /** A string field, or null when absent or JSON null; records an error for other types. */
  public static String string(JsonNode json, String field, List<FieldError> errors) {
    JsonNode n = json.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      errors.add(new FieldError(field, "must be a string, was " + kind(n)));
      return null;
    }
    return n.textValue();
  }

  /** An integer field, or null when absent; records an error for other types. */
  public static Integer integer(JsonNode json, String field, List<FieldError> errors) {
    JsonNode n = json.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt()) {
      errors.add(new FieldError(field, "must be a whole number, was " + kind(n)));
      return null;
    }
    return n.intValue();
  }

  private static boolean bool(JsonNode json, String field, List<FieldError> errors) {
    JsonNode n = json.get(field);
    if (n == null || n.isNull()) {
      return false;
    }
    if (!n.isBoolean()) {
      errors.add(new FieldError(field, "must be true or false, was " + kind(n)));
      return false;
    }
    return n.booleanValue();
  }

  private static Map<String, String> stringMap(
      JsonNode json, String field, List<FieldError> errors) {
    JsonNode n = json.get(field);
    if (n == null || n.isNull()) {
      return Map.of();
    }
    if (!n.isObject()) {
      errors.add(new FieldError(field, "must be an object of strings, was " + kind(n)));
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      if (!e.getValue().isTextual()) {
        errors.add(
            new FieldError(
                field + "." + e.getKey(), "must be a string, was " + kind(e.getValue())));
      } else {
        out.put(e.getKey(), e.getValue().textValue());
      }
    }
    return out;
  }

  private static List<String> stringList(JsonNode json, String field, List<FieldError> errors) {
    JsonNode n = json.get(field);
    if (n == null || n.isNull()) {
      return List.of();
    }
    if (!n.isArray()) {
      errors.add(new FieldError(field, "must be an array of strings, was " + kind(n)));
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n.size(); i++) {
      JsonNode item = n.get(i);
      if (!item.isTextual()) {
        errors.add(new FieldError(field + "[" + i + "]", "must be a string, was " + kind(item)));
      } else {
        out.add(item.textValue());
      }
    }
    return out;
  }

  private static Resources resources(JsonNode json, String field, List<FieldError> errors) {
    JsonNode n = json.get(field);
    if (n == null || n.isNull()) {
      return Resources.NONE;
    }
    if (!n.isObject()) {
      errors.add(new FieldError(field, "must be an object like {\"memory\":\"128Mi\"}"));
      return Resources.NONE;
    }
    List<FieldError> inner = new ArrayList<>();
    String memory = string(n, "memory", inner);
    String cpu = string(n, "cpu", inner);
    for (FieldError e : inner) {
      errors.add(new FieldError(field + "." + e.field(), e.message()));
    }
    return new Resources(emptyToNull(memory), emptyToNull(cpu));
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static String kind(JsonNode n) {
    return switch (n.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case BOOLEAN -> "a boolean";
      case NUMBER -> "a number";
      case STRING -> "a string";
      case NULL -> "null";
      default -> n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  /**
   * Writes a {@code FunctionStatus}. {@code envVars}, {@code limits} and {@code requests} are
   * omitted when empty; {@code labels} and {@code annotations} are always present, and labels carry
   * {@code faas_function=<name>} as OpenFaaS clients expect.
   */
  public static ObjectNode status(FunctionRecord record, RuntimeStatus runtime) {
    return status(record, runtime, Map.of());
  }

  /**
   * As {@link #status(FunctionRecord, RuntimeStatus)}, plus (Shardless) {@code confinement}: how
   * the replicas on this node are confined and their limits enforced, when any runs here.
   */
  public static ObjectNode status(
      FunctionRecord record, RuntimeStatus runtime, Map<String, String> confinement) {
    FunctionSpec spec = record.spec();
    ObjectNode o = MAPPER.createObjectNode();
    o.put("name", spec.id().name());
    o.put("image", spec.image());
    o.put("namespace", spec.id().namespace());
    o.put("envProcess", spec.envProcess());
    if (!spec.envVars().isEmpty()) {
      o.set("envVars", MAPPER.valueToTree(new TreeMap<>(spec.envVars())));
    }
    o.set("constraints", strings(spec.constraints()));
    o.set("secrets", strings(spec.secrets()));
    Map<String, String> labels = new TreeMap<>(spec.labels());
    labels.put("faas_function", spec.id().name());
    o.set("labels", MAPPER.valueToTree(labels));
    o.set("annotations", MAPPER.valueToTree(new TreeMap<>(spec.annotations())));
    putResources(o, "limits", spec.limits());
    putResources(o, "requests", spec.requests());
    o.put("readOnlyRootFilesystem", spec.readOnlyRootFilesystem());
    o.put("invocationCount", runtime.invocationCount());
    o.put("replicas", runtime.desiredReplicas());
    o.put("availableReplicas", runtime.readyReplicas());
    o.put("createdAt", record.createdAt().toString());
    if (!confinement.isEmpty()) {
      o.set("confinement", MAPPER.valueToTree(new TreeMap<>(confinement)));
    }
    return o;
  }

  private static ArrayNode strings(List<String> values) {
    ArrayNode a = MAPPER.createArrayNode();
    values.forEach(a::add);
    return a;
  }

  private static void putResources(ObjectNode o, String field, Resources r) {
    if (r.isEmpty()) {
      return;
    }
    ObjectNode n = o.putObject(field);
    if (r.memory() != null) {
      n.put("memory", r.memory());
    }
    if (r.cpu() != null) {
      n.put("cpu", r.cpu());
    }
  }
}
