package dev.shardless.k8s.operator;

import java.util.regex.Pattern;

/**
 * What the Kubernetes API server accepts as a label key, a label value, an annotation key, a Secret
 * name and a resource quantity (apimachinery's validation rules). Pure. The operator checks a
 * Function against these before it builds objects, so that a bad field becomes a condition naming
 * it instead of a rejected Deployment.
 */
final class KubernetesSyntax {
  private static final Pattern NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
  private static final Pattern DNS_1123_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  /** The CRD's pattern for {@code limits} and {@code requests}. */
  private static final Pattern QUANTITY =
      Pattern.compile("([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)");

  private KubernetesSyntax() {}

  /**
   * A label or annotation key: an optional DNS-1123 subdomain prefix of at most 253 characters and
   * a slash, then a name of at most 63 characters ({@code app.kubernetes.io/name}, {@code team}).
   */
  static boolean isQualifiedName(String key) {
    if (key == null || key.isEmpty()) {
      return false;
    }
    int slash = key.indexOf('/');
    String name = slash < 0 ? key : key.substring(slash + 1);
    if (slash >= 0) {
      String prefix = key.substring(0, slash);
      if (prefix.isEmpty()
          || prefix.length() > 253
          || !DNS_1123_SUBDOMAIN.matcher(prefix).matches()) {
        return false;
      }
    }
    return !name.isEmpty() && name.length() <= 63 && NAME.matcher(name).matches();
  }

  /** A label value: empty, or a name of at most 63 characters. */
  static boolean isLabelValue(String value) {
    return value != null
        && (value.isEmpty() || (value.length() <= 63 && NAME.matcher(value).matches()));
  }

  /** A Secret (or ConfigMap) name. */
  static boolean isDnsSubdomain(String name) {
    return name != null && name.length() <= 253 && DNS_1123_SUBDOMAIN.matcher(name).matches();
  }

  /** A resource quantity such as {@code 128Mi}, {@code 500m}, {@code 1.5}. */
  static boolean isQuantity(String q) {
    return q != null && QUANTITY.matcher(q).matches();
  }
}
