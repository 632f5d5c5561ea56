package dev.shardless.k8s.crd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardless.k8s.operator.FunctionOperator;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionSpec;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class FunctionResourcesTest {
  private static final String NS = "openfaas-fn";
  private static final FunctionId ECHO = new FunctionId(NS, "echo");

  KubernetesClient client;
  KubernetesMockServer server;

  private final ExecutorService blocking = Executors.newSingleThreadExecutor();
  private FunctionResources resources;

  @BeforeEach
  void setUp() {
    FunctionOperator.installCrd(client);
    resources = new FunctionResources(client, blocking);
  }

  @AfterEach
  void tearDown() {
    blocking.shutdownNow();
  }

  static FunctionSpec spec(String image) {
    return new FunctionSpec(
        ECHO,
        image,
        null,
        Map.of("mode", "http"),
        null,
        null,
        Map.of("com.openfaas.scale.max", "4"),
        null,
        null,
        null,
        false);
  }

  private static <T> T join(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private FunctionResource stored() {
    return client.resources(FunctionResource.class).inNamespace(NS).withName("echo").get();
  }

  @Test
  void createWritesTheFunctionAndASecondCreateIsAConflict() throws Exception {
    FunctionResources.Result first = join(resources.create(spec("echo:1")));
    FunctionResources.Result second = join(resources.create(spec("echo:2")));

    assertThat(first).isInstanceOf(FunctionResources.Created.class);
    assertThat(((FunctionResources.Created) first).resource().getMetadata().getUid()).isNotNull();
    assertThat(second).isEqualTo(new FunctionResources.Conflict(ECHO));
    assertThat(FunctionMapping.toSpec(stored())).isEqualTo(spec("echo:1"));
    assertThat(stored().getSpec().getScaling().getMax()).isEqualTo(4);
  }

  @Test
  void replaceUpdatesTheSpecAndKeepsMetadataAndStatus() throws Exception {
    join(resources.create(spec("echo:1")));
    client
        .resources(FunctionResource.class)
        .inNamespace(NS)
        .withName("echo")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"labels\":{\"owner\":\"gitops\"}}}");
    String uid = stored().getMetadata().getUid();

    FunctionResources.Result result = join(resources.replace(spec("echo:2")));

    assertThat(result).isInstanceOf(FunctionResources.Replaced.class);
    assertThat(FunctionMapping.toSpec(stored())).isEqualTo(spec("echo:2"));
    assertThat(stored().getMetadata().getLabels()).containsEntry("owner", "gitops");
    assertThat(stored().getMetadata().getUid()).isEqualTo(uid);
    assertThat(stored().getMetadata().getGeneration()).isEqualTo(2L);
  }

  @Test
  void replaceThatMeetsANewerResourceVersionReadsAgainAndRetries() throws Exception {
    join(resources.create(spec("echo:1")));
    expectConflictingPuts(2);

    FunctionResources.Result result = join(resources.replace(spec("echo:2")));

    assertThat(result).isInstanceOf(FunctionResources.Replaced.class);
    assertThat(FunctionMapping.toSpec(stored())).isEqualTo(spec("echo:2"));
  }

  @Test
  void replaceThatKeepsMeetingNewerVersionsFailsWithTheConflict() throws Exception {
    join(resources.create(spec("echo:1")));
    expectConflictingPuts(FunctionResources.REPLACE_ATTEMPTS);

    assertThatThrownBy(() -> join(resources.replace(spec("echo:2"))))
        .hasCauseInstanceOf(KubernetesClientException.class)
        .cause()
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(409));
    assertThat(FunctionMapping.toSpec(stored())).isEqualTo(spec("echo:1"));
  }

  private void expectConflictingPuts(int times) {
    server
        .expect()
        .put()
        .withPath("/apis/shardless.dev/v1/namespaces/" + NS + "/functions/echo")
        .andReturn(
            409,
            new StatusBuilder()
                .withCode(409)
                .withReason("Conflict")
                .withMessage("the object has been modified")
                .build())
        .times(times);
  }

  @Test
  void replaceOfAnAbsentFunctionIsNotFound() throws Exception {
    assertThat(join(resources.replace(spec("echo:1"))))
        .isEqualTo(new FunctionResources.NotFound(ECHO));
    assertThat(stored()).isNull();
  }

  @Test
  void deleteRemovesTheFunctionAndASecondDeleteIsNotFound() throws Exception {
    join(resources.create(spec("echo:1")));

    FunctionResources.Result first = join(resources.delete(ECHO));
    FunctionResources.Result second = join(resources.delete(ECHO));

    assertThat(first).isInstanceOf(FunctionResources.Deleted.class);
    assertThat(FunctionMapping.toSpec(((FunctionResources.Deleted) first).resource()))
        .isEqualTo(spec("echo:1"));
    assertThat(second).isEqualTo(new FunctionResources.NotFound(ECHO));
    assertThat(stored()).isNull();
  }

  @Test
  void getReadsTheFunctionOrNothing() throws Exception {
    assertThat(join(resources.get(ECHO))).isEmpty();
    join(resources.create(spec("echo:1")));

    Optional<FunctionResource> found = join(resources.get(ECHO));

    assertThat(found).map(FunctionMapping::toSpec).contains(spec("echo:1"));
  }

  @Test
  void everyCallRunsOnTheGivenExecutor() throws Exception {
    AtomicInteger tasks = new AtomicInteger();
    FunctionResources counted =
        new FunctionResources(
            client,
            task -> {
              tasks.incrementAndGet();
              blocking.execute(task);
            });

    join(counted.create(spec("echo:1")));
    join(counted.replace(spec("echo:2")));
    join(counted.get(ECHO));
    join(counted.delete(ECHO));

    assertThat(tasks).hasValue(4);
  }
}
