package dev.shardless.k8s;

/**
 * The names Shardless and Kubernetes agree on: the Function custom resource, the labels and
 * annotations on the objects the operator builds, and the port a function's container serves on.
 * The operator, the platform and the manifests in {@code k8s/deploy} all use these.
 */
public final class Conventions {
  /** API group of the Function custom resource. */
  public static final String GROUP = "shardless.dev";

  /** Served and stored version of the Function custom resource. */
  public static final String VERSION = "v1";

  /** {@code apiVersion} of a Function. */
  public static final String API_VERSION = GROUP + "/" + VERSION;

  /** Kind of the custom resource. */
  public static final String KIND = "Function";

  /** Plural resource name ({@code kubectl get functions}). */
  public static final String PLURAL = "functions";

  /** Classpath location of the CRD (the same file as {@code k8s/deploy/base/function-crd.yaml}). */
  public static final String CRD_RESOURCE = "/dev/shardless/k8s/function-crd.yaml";

  /** OpenFaaS's label naming a function on its Deployment, Service and pods. */
  public static final String FUNCTION_LABEL = "faas_function";

  /** Standard label marking objects Shardless owns. */
  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";

  /** Value of {@link #MANAGED_BY_LABEL}. */
  public static final String MANAGED_BY = "shardless";

  /**
   * Pods with a lower cost are removed first when a ReplicaSet scales down (Kubernetes 1.22+): the
   * platform marks the replica it drained before lowering the Deployment's scale.
   */
  public static final String POD_DELETION_COST = "controller.kubernetes.io/pod-deletion-cost";

  /**
   * Annotation on every pod the operator builds: the {@link SpecVersion} of the spec it was built
   * from. The platform binds a replica only to pods of the version of the spec it was started with.
   */
  public static final String SPEC_VERSION_ANNOTATION = "shardless.dev/spec-version";

  /** The port a function's container serves HTTP on (the OpenFaaS watchdog's). */
  public static final int FUNCTION_PORT = 8080;

  /** Name of that container port. */
  public static final String FUNCTION_PORT_NAME = "http";

  /** Environment variable carrying {@code envProcess} to the watchdog in the image. */
  public static final String FPROCESS_ENV = "fprocess";

  private Conventions() {}
}
