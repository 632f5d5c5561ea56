package dev.shardless.k8s.operator;

import dev.shardless.k8s.Conventions;
import dev.shardless.k8s.SpecVersion;
import dev.shardless.k8s.crd.FunctionResource;
import dev.shardless.scheduler.model.FunctionSpec;
import dev.shardless.scheduler.model.Resources;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.VolumeProjectionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds the Deployment and the Service that run a Function. Pure: the same owner and spec give
 * equal objects, which the operator then applies.
 *
 * <p>The Deployment follows faas-netes where OpenFaaS users expect it: pods labelled {@code
 * faas_function=<name>}, one container named {@code function} serving the watchdog's port 8080
 * (named {@code http}) with a readiness probe on {@code /_/health}, Secrets mounted read-only under
 * {@code /var/openfaas/secrets}, {@code constraints} as a nodeSelector, and {@code /tmp} an
 * emptyDir when the root filesystem is read-only. Every pod is annotated {@code
 * shardless.dev/spec-version} with the {@link SpecVersion} of its spec, which the platform matches
 * against the spec a replica was started with. Its replica count belongs to the function's entity:
 * {@code liveReplicas} (what the live Deployment has) is kept, and a new Deployment starts at 0
 * until the entity scales it.
 */
public final class FunctionObjects {
  /** Container name of the function in every pod. */
  public static final String CONTAINER = "function";

  /** Where the function reads its Secrets (OpenFaaS convention). */
  public static final String SECRETS_PATH = "/var/openfaas/secrets";

  /** The watchdog's health endpoint. */
  public static final String HEALTH_PATH = "/_/health";

  /**
   * Annotation on the Deployment and Service: a hash of what the operator built (replicas aside).
   */
  public static final String SPEC_HASH_ANNOTATION = "shardless.dev/spec-hash";

  /** Kubernetes' default termination grace period, the floor of the one the operator sets. */
  static final long DEFAULT_GRACE_SECONDS = 30;

  /** Time beyond the function timeout for a terminating pod to finish writing its last reply. */
  static final long GRACE_MARGIN_SECONDS = 2;

  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private FunctionObjects() {}

  /**
   * The Deployment for {@code spec}, owned by {@code owner}.
   *
   * @param liveReplicas the live Deployment's {@code spec.replicas}, kept as they are; null when
   *     there is none yet, which gives 0
   */
  public static Deployment deployment(
      FunctionResource owner, FunctionSpec spec, Integer liveReplicas) {
    String name = spec.id().name();
    Map<String, String> podLabels = new TreeMap<>();
    spec.labels()
        .forEach(
            (k, v) -> {
              if (KubernetesSyntax.isQualifiedName(k) && KubernetesSyntax.isLabelValue(v)) {
                podLabels.put(k, v);
              }
            });
    podLabels.putAll(labels(name));
    Deployment deployment =
        new DeploymentBuilder()
            .withMetadata(metadata(owner, spec))
            .withNewSpec()
            .withReplicas(0)
            .withNewSelector()
            .withMatchLabels(Map.of(Conventions.FUNCTION_LABEL, name))
            .endSelector()
            .withNewStrategy()
            .withType("RollingUpdate")
            .withNewRollingUpdate()
            .withMaxUnavailable(new IntOrString(0))
            .withMaxSurge(new IntOrString(1))
            .endRollingUpdate()
            .endStrategy()
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(podLabels)
            .withAnnotations(podAnnotations(spec))
            .endMetadata()
            .withNewSpec()
            .withContainers(container(spec))
            .withVolumes(volumes(spec))
            .withNodeSelector(nodeSelector(spec.constraints()))
            .withTerminationGracePeriodSeconds(gracePeriodSeconds(spec))
            .withEnableServiceLinks(false)
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    deployment.getMetadata().getAnnotations().put(SPEC_HASH_ANNOTATION, hash(deployment));
    deployment.getSpec().setReplicas(liveReplicas == null ? 0 : liveReplicas);
    return deployment;
  }

  /**
   * The spec's annotations plus {@link Conventions#SPEC_VERSION_ANNOTATION} (which wins over a user
   * annotation of that name): every pod says which spec it runs, and a changed spec changes the
   * template, so the Deployment rolls out.
   */
  private static Map<String, String> podAnnotations(FunctionSpec spec) {
    Map<String, String> annotations = new TreeMap<>(spec.annotations());
    annotations.put(Conventions.SPEC_VERSION_ANNOTATION, SpecVersion.of(spec));
    return annotations;
  }

  /** The ClusterIP Service in front of the function's pods: port 8080 to the pods' {@code http}. */
  public static Service service(FunctionResource owner, FunctionSpec spec) {
    Service service =
        new ServiceBuilder()
            .withMetadata(metadata(owner, spec))
            .withNewSpec()
            .withType("ClusterIP")
            .withSelector(Map.of(Conventions.FUNCTION_LABEL, spec.id().name()))
            .addNewPort()
            .withName(Conventions.FUNCTION_PORT_NAME)
            .withProtocol("TCP")
            .withPort(Conventions.FUNCTION_PORT)
            .withTargetPort(new IntOrString(Conventions.FUNCTION_PORT_NAME))
            .endPort()
            .endSpec()
            .build();
    service.getMetadata().getAnnotations().put(SPEC_HASH_ANNOTATION, hash(service));
    return service;
  }

  /**
   * Seconds a terminating pod gets: the function timeout rounded up plus {@value
   * #GRACE_MARGIN_SECONDS}, and never less than Kubernetes' default {@value
   * #DEFAULT_GRACE_SECONDS}. Example: {@code exec_timeout=90s} gives 92; the default 60 s timeout
   * gives 62; {@code exec_timeout=5s} gives 30.
   */
  static long gracePeriodSeconds(FunctionSpec spec) {
    long timeout = spec.timeout().toSeconds() + (spec.timeout().toNanosPart() > 0 ? 1 : 0);
    return Math.max(DEFAULT_GRACE_SECONDS, timeout + GRACE_MARGIN_SECONDS);
  }

  /** The labels of every object the operator builds for function {@code name}. */
  public static Map<String, String> labels(String name) {
    return Map.of(
        Conventions.FUNCTION_LABEL, name, Conventions.MANAGED_BY_LABEL, Conventions.MANAGED_BY);
  }

  /** The owner reference that makes {@code owner} the controller of what the operator builds. */
  public static OwnerReference ownerReference(FunctionResource owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion(Conventions.API_VERSION)
        .withKind(Conventions.KIND)
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  private static ObjectMeta metadata(FunctionResource owner, FunctionSpec spec) {
    return new ObjectMetaBuilder()
        .withName(spec.id().name())
        .withNamespace(spec.id().namespace())
        .withLabels(new TreeMap<>(labels(spec.id().name())))
        .withAnnotations(new TreeMap<>())
        .withOwnerReferences(ownerReference(owner))
        .build();
  }

  private static Container container(FunctionSpec spec) {
    List<EnvVar> env = new ArrayList<>();
    new TreeMap<>(spec.envVars()).forEach((k, v) -> env.add(new EnvVar(k, v, null)));
    if (!spec.envProcess().isEmpty()) {
      env.removeIf(e -> e.getName().equals(Conventions.FPROCESS_ENV));
      env.add(new EnvVar(Conventions.FPROCESS_ENV, spec.envProcess(), null));
    }
    List<VolumeMount> mounts = new ArrayList<>();
    if (!spec.secrets().isEmpty()) {
      mounts.add(
          new VolumeMountBuilder()
              .withName(secretsVolume(spec))
              .withMountPath(SECRETS_PATH)
              .withReadOnly(true)
              .build());
    }
    if (spec.readOnlyRootFilesystem()) {
      mounts.add(new VolumeMountBuilder().withName("temp").withMountPath("/tmp").build());
    }
    return new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(spec.image())
        .withEnv(env)
        .addNewPort()
        .withName(Conventions.FUNCTION_PORT_NAME)
        .withContainerPort(Conventions.FUNCTION_PORT)
        .withProtocol("TCP")
        .endPort()
        .withNewReadinessProbe()
        .withNewHttpGet()
        .withPath(HEALTH_PATH)
        .withPort(new IntOrString(Conventions.FUNCTION_PORT_NAME))
        .endHttpGet()
        .withInitialDelaySeconds(0)
        .withPeriodSeconds(2)
        .withTimeoutSeconds(1)
        .withFailureThreshold(3)
        .endReadinessProbe()
        .withNewResources()
        .withLimits(quantities(spec.limits()))
        .withRequests(quantities(spec.requests()))
        .endResources()
        .withNewSecurityContext()
        .withReadOnlyRootFilesystem(spec.readOnlyRootFilesystem())
        .endSecurityContext()
        .withVolumeMounts(mounts)
        .build();
  }

  private static List<Volume> volumes(FunctionSpec spec) {
    List<Volume> volumes = new ArrayList<>();
    if (!spec.secrets().isEmpty()) {
      VolumeBuilder secrets = new VolumeBuilder().withName(secretsVolume(spec));
      var projected = secrets.withNewProjected();
      for (String secret : spec.secrets()) {
        projected.addToSources(
            new VolumeProjectionBuilder().withNewSecret().withName(secret).endSecret().build());
      }
      volumes.add(projected.endProjected().build());
    }
    if (spec.readOnlyRootFilesystem()) {
      volumes.add(new VolumeBuilder().withName("temp").withNewEmptyDir().endEmptyDir().build());
    }
    return volumes;
  }

  private static String secretsVolume(FunctionSpec spec) {
    return spec.id().name() + "-projected-secrets";
  }

  /**
   * {@code "key=value"} constraints as a nodeSelector; others are not node labels and are left out.
   */
  private static Map<String, String> nodeSelector(List<String> constraints) {
    Map<String, String> selector = new TreeMap<>();
    for (String c : constraints) {
      String[] kv = c.split("=", -1);
      if (kv.length == 2) {
        selector.put(kv[0], kv[1]);
      }
    }
    return selector.isEmpty() ? null : selector;
  }

  private static Map<String, Quantity> quantities(Resources r) {
    Map<String, Quantity> q = new TreeMap<>();
    if (r.cpu() != null) {
      q.put("cpu", new Quantity(r.cpu()));
    }
    if (r.memory() != null) {
      q.put("memory", new Quantity(r.memory()));
    }
    return q.isEmpty() ? null : q;
  }

  /** SHA-256 of the object's JSON (its hash annotation left out), first 16 hex digits. */
  private static String hash(HasMetadata object) {
    return SpecVersion.digest(JSON.asJson(object).getBytes(StandardCharsets.UTF_8));
  }
}
