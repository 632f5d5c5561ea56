package dev.shardless.cluster.gateway;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shardless.persistence.registry.FunctionRegistry;
import dev.shardless.persistence.registry.RegistryCatalog;
import dev.shardless.persistence.secrets.SecretCatalog;
import dev.shardless.scheduler.entity.FunctionEntity;
import dev.shardless.scheduler.entity.FunctionEntity.RuntimeStatus;
import dev.shardless.scheduler.model.FieldError;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionRecord;
import dev.shardless.scheduler.model.FunctionSpec;
import dev.shardless.scheduler.model.FunctionSpecValidator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * The OpenFaaS gateway's management API under {@code /system} (DESIGN.md §2), behind HTTP basic
 * auth. Definitions go to the namespace's durable {@link FunctionRegistry}; runtime numbers come
 * from each function's entity; secrets go to {@link SecretsApi}.
 */
final class SystemApi extends AllDirectives {
  private static final RuntimeStatus UNKNOWN_RUNTIME = new RuntimeStatus(false, 0, 0, 0, 0, 0);

  private final ActorSystem<?> system;
  private final RegistryCatalog registry;
  private final FunctionWrites writes;
  private final ClusterSharding sharding;
  private final Executor ec;
  private final GatewaySettings settings;
  private final AdminCredentials credentials;
  private final List<String> namespaces;
  private final boolean requireEnvProcess;
  private final ObjectNode info;
  private final AsyncApi async;
  private final ReplicaConfinement confinement;
  private final LogsApi logs;
  private final SecretsApi secrets;
  private final LiveFeed feed;

  SystemApi(
      ActorSystem<?> system,
      RegistryCatalog registry,
      FunctionWrites writes,
      GatewaySettings settings,
      AdminCredentials credentials,
      List<String> namespaces,
      boolean requireEnvProcess,
      ObjectNode info,
      SecretCatalog secretCatalog,
      SecretMirror secretMirror,
      int maxSecretBytes,
      ReplicaConfinement confinement,
      LiveFeed feed,
      LogSource logSource) {
    this.system = system;
    this.registry = registry;
    this.writes = writes;
    this.sharding = ClusterSharding.get(system);
    this.ec = system.executionContext();
    this.settings = settings;
    this.credentials = credentials;
    this.namespaces = List.copyOf(namespaces);
    this.requireEnvProcess = requireEnvProcess;
    this.info = info;
    this.async = new AsyncApi(system, settings.askTimeout());
    this.confinement = confinement;
    this.logs = new LogsApi(system, logSource);
    this.secrets =
        new SecretsApi(secretCatalog, secretMirror, this::namespaceOrThrow, maxSecretBytes, ec);
    this.feed = feed;
  }

  Route route() {
    return pathPrefix(
        "system",
        () ->
            authenticated(
                () ->
                    concat(
                        path("info", () -> get(() -> complete(Responses.json(200, info)))),
                        path("namespaces", () -> get(this::listNamespaces)),
                        path(
                            "logs",
                            () -> get(() -> logs.route((name, h) -> withFunction(name, h::apply)))),
                        path(
                            "functions",
                            () ->
                                concat(
                                    get(() -> withNamespace(this::listFunctions)),
                                    post(() -> withBody(this::deploy)),
                                    put(() -> withBody(this::update)),
                                    delete(() -> withBody(this::remove)))),
                        pathPrefix(
                            "function",
                            () ->
                                path(
                                    segment(),
                                    name -> get(() -> withNamespace(ns -> getFunction(ns, name))))),
                        pathPrefix(
                            "scale-function",
                            () ->
                                path(
                                    segment(),
                                    name -> post(() -> withBody(body -> scale(name, body))))),
                        pathPrefix("async", () -> pathPrefix(segment(), this::asyncRoutes)),
                        path(
                            segment("ui").slash("events"),
                            () ->
                                get(
                                    () ->
                                        withNamespace(
                                            ns ->
                                                CompletableFuture.completedFuture(
                                                    feed.subscribe(ns))))),
                        path("secrets", this::secretRoutes))));
  }

  private Route secretRoutes() {
    return concat(
        get(() -> withNamespace(secrets::list)),
        post(() -> withBody(secrets::create)),
        put(() -> withBody(secrets::update)),
        delete(() -> withBody(secrets::remove)));
  }

  /**
   * {@code /system/async/{name}[.{namespace}]/…} (Shardless extension): the function must exist;
   * {@code ?namespace=} works as on the other calls.
   */
  private Route asyncRoutes(String function) {
    return concat(
        pathEnd(() -> get(() -> withFunction(function, async::status))),
        path(
            segment("calls").slash(segment()),
            callId ->
                concat(
                    get(() -> withFunction(function, id -> async.job(id, callId))),
                    delete(() -> withFunction(function, id -> async.cancel(id, callId))))),
        path(
            "dead-letters",
            () ->
                get(
                    () ->
                        parameterOptional(
                            "limit",
                            limit ->
                                withFunction(
                                    function,
                                    id -> async.deadLetters(id, AsyncApi.limit(limit)))))),
        path(
            segment("dead-letters").slash("redrive"),
            () ->
                post(
                    () ->
                        withSizeLimit(
                            settings.maxSystemBody(),
                            () ->
                                entity(
                                    Unmarshaller.entityToString(),
                                    body ->
                                        withFunction(function, id -> async.redrive(id, body)))))));
  }

  @FunctionalInterface
  private interface FunctionHandler {
    CompletionStage<HttpResponse> apply(FunctionId id) throws BadRequest;
  }

  /**
   * Resolves {@code name[.namespace]} (or {@code ?namespace=}) to a deployed function, else 404.
   */
  private Route withFunction(String function, FunctionHandler handler) {
    return parameterOptional(
        "namespace",
        ns ->
            completeWithFuture(
                safely(
                    () -> {
                      FunctionId id = functionId(function, ns.orElse(null));
                      return registry
                          .lookup(id)
                          .thenComposeAsync(
                              found -> {
                                if (found.isEmpty()) {
                                  return CompletableFuture.completedFuture(
                                      notFound(id.name(), id.namespace()));
                                }
                                try {
                                  return handler.apply(id);
                                } catch (BadRequest e) {
                                  return CompletableFuture.completedFuture(Responses.badRequest(e));
                                }
                              },
                              ec);
                    })));
  }

  private FunctionId functionId(String function, String namespaceParam) throws BadRequest {
    int dot = function.indexOf('.');
    String name = dot < 0 ? function : function.substring(0, dot);
    String namespace = namespaceOrThrow(dot < 0 ? namespaceParam : function.substring(dot + 1));
    if (!FunctionSpecValidator.isDnsLabel(name)) {
      throw new BadRequest("name", "'" + name + "' is not a valid function name");
    }
    return new FunctionId(namespace, name);
  }

  /**
   * Basic auth. A 401 carries {@code WWW-Authenticate} (so browsers and faas-cli know to ask),
   * except for requests with {@code X-Requested-With} (the dashboard's own calls), which would
   * otherwise make the browser show its native login dialog over the page's own form.
   */
  private Route authenticated(java.util.function.Supplier<Route> inner) {
    return optionalHeaderValueByName(
        "Authorization",
        auth ->
            credentials.matchesBasic(auth.orElse(null))
                ? inner.get()
                : optionalHeaderValueByName(
                    "X-Requested-With", scripted -> complete(unauthorized(scripted.isEmpty()))));
  }

  private static HttpResponse unauthorized(boolean challenge) {
    HttpResponse r = Responses.text(401, "unauthorized: wrong or missing credentials");
    return challenge
        ? r.addHeader(RawHeader.create("WWW-Authenticate", "Basic realm=\"shardless\""))
        : r;
  }

  @FunctionalInterface
  private interface BodyHandler {
    CompletionStage<HttpResponse> apply(String body) throws BadRequest;
  }

  private Route withBody(BodyHandler handler) {
    return withSizeLimit(
        settings.maxSystemBody(),
        () ->
            entity(
                Unmarshaller.entityToString(),
                body -> completeWithFuture(safely(() -> handler.apply(body)))));
  }

  private Route withNamespace(Function<String, CompletionStage<HttpResponse>> handler) {
    return parameterOptional(
        "namespace",
        ns -> completeWithFuture(safely(() -> handler.apply(namespaceOrThrow(ns.orElse(null))))));
  }

  /**
   * Runs a handler, turning client mistakes into 400, and registry or Kubernetes API trouble into
   * 503.
   */
  private CompletionStage<HttpResponse> safely(ThrowingSupplier handler) {
    CompletionStage<HttpResponse> stage;
    try {
      stage = handler.get();
    } catch (BadRequest e) {
      return CompletableFuture.completedFuture(Responses.badRequest(e));
    }
    return stage.handleAsync(
        (response, error) -> {
          if (error == null) {
            return response;
          }
          Throwable cause = error.getCause() != null ? error.getCause() : error;
          if (cause instanceof BadRequest bad) {
            return Responses.badRequest(bad);
          }
          if (cause instanceof Unavailable unavailable) {
            system.log().warn("system API call failed: {}", unavailable.getMessage());
            return Responses.text(503, unavailable.getMessage());
          }
          system.log().warn("system API call failed", cause);
          return Responses.text(503, "the function registry did not answer in time; try again");
        },
        ec);
  }

  @FunctionalInterface
  private interface ThrowingSupplier {
    CompletionStage<HttpResponse> get() throws BadRequest;
  }

  private String namespaceOrThrow(String ns) throws BadRequest {
    if (ns == null || ns.isEmpty()) {
      return namespaces.get(0);
    }
    if (!namespaces.contains(ns)) {
      throw new BadRequest("namespace", "'" + ns + "' is not one of " + namespaces);
    }
    return ns;
  }

  private Route listNamespaces() {
    ArrayNode a = FunctionJson.MAPPER.createArrayNode();
    namespaces.forEach(a::add);
    return complete(Responses.json(200, a));
  }

  private CompletionStage<RuntimeStatus> runtime(FunctionId id) {
    return sharding
        .entityRefFor(FunctionEntity.TYPE_KEY, id.entityId())
        .<RuntimeStatus>ask(FunctionEntity.GetStatus::new, settings.statusTimeout())
        .exceptionallyAsync(e -> UNKNOWN_RUNTIME, ec);
  }

  private CompletionStage<HttpResponse> listFunctions(String namespace) {
    return registry
        .list(namespace)
        .thenComposeAsync(
            records -> {
              List<CompletableFuture<ObjectNode>> statuses = new ArrayList<>(records.size());
              for (FunctionRecord r : records) {
                statuses.add(
                    runtime(r.spec().id())
                        .thenApplyAsync(
                            rt -> FunctionJson.status(r, rt, confinement.of(r.spec().id())), ec)
                        .toCompletableFuture());
              }
              return CompletableFuture.allOf(statuses.toArray(CompletableFuture[]::new))
                  .thenApplyAsync(
                      done -> {
                        ArrayNode a = FunctionJson.MAPPER.createArrayNode();
                        statuses.forEach(s -> a.add(s.join()));
                        return Responses.json(200, a);
                      },
                      ec);
            },
            ec);
  }

  private CompletionStage<HttpResponse> getFunction(String namespace, String name) {
    return registry
        .lookup(new FunctionId(namespace, name))
        .thenComposeAsync(
            found ->
                found.isEmpty()
                    ? CompletableFuture.completedFuture(notFound(name, namespace))
                    : runtime(found.get().spec().id())
                        .thenApplyAsync(
                            rt ->
                                Responses.json(
                                    200,
                                    FunctionJson.status(
                                        found.get(), rt, confinement.of(found.get().spec().id()))),
                            ec),
            ec);
  }

  private FunctionSpec readSpec(String body) throws BadRequest {
    JsonNode json = FunctionJson.parse(body);
    FunctionSpec spec = FunctionJson.readDeployment(json, namespaces.get(0));
    namespaceOrThrow(spec.id().namespace());
    List<FieldError> errors = SpecChecks.problems(spec, requireEnvProcess);
    if (!errors.isEmpty()) {
      throw new BadRequest(errors);
    }
    return spec;
  }

  private CompletionStage<HttpResponse> deploy(String body) throws BadRequest {
    FunctionSpec spec = readSpec(body);
    return secrets
        .requireExisting(spec.id().namespace(), spec.secrets())
        .thenComposeAsync(ok -> writes.deploy(spec), ec)
        .thenApplyAsync(
            reply ->
                reply instanceof FunctionRegistry.Conflict
                    ? Responses.text(
                        409,
                        "function "
                            + spec.id().name()
                            + " already exists in namespace "
                            + spec.id().namespace()
                            + "; use PUT to update it")
                    : Responses.text(202, "deployed " + spec.id()),
            ec);
  }

  private CompletionStage<HttpResponse> update(String body) throws BadRequest {
    FunctionSpec spec = readSpec(body);
    return secrets
        .requireExisting(spec.id().namespace(), spec.secrets())
        .thenComposeAsync(ok -> writes.update(spec), ec)
        .thenApplyAsync(
            reply ->
                reply instanceof FunctionRegistry.NotFound
                    ? notFound(spec.id().name(), spec.id().namespace())
                    : Responses.text(200, "updated " + spec.id()),
            ec);
  }

  private CompletionStage<HttpResponse> remove(String body) throws BadRequest {
    JsonNode json = FunctionJson.parse(body);
    List<FieldError> errors = new ArrayList<>();
    String name = FunctionJson.string(json, "functionName", errors);
    String namespace = namespaceOrThrow(FunctionJson.string(json, "namespace", errors));
    if (errors.isEmpty() && (name == null || name.isEmpty())) {
      errors.add(new FieldError("functionName", "is required"));
    }
    if (!errors.isEmpty()) {
      throw new BadRequest(errors);
    }
    return writes
        .delete(new FunctionId(namespace, name))
        .thenApplyAsync(
            reply ->
                reply instanceof FunctionRegistry.NotFound
                    ? notFound(name, namespace)
                    : Responses.text(200, "deleted " + name + "." + namespace),
            ec);
  }

  private CompletionStage<HttpResponse> scale(String name, String body) throws BadRequest {
    JsonNode json = FunctionJson.parse(body);
    List<FieldError> errors = new ArrayList<>();
    String namespace = namespaceOrThrow(FunctionJson.string(json, "namespace", errors));
    String serviceName = FunctionJson.string(json, "serviceName", errors);
    Integer replicas = FunctionJson.integer(json, "replicas", errors);
    if (serviceName != null && !serviceName.isEmpty() && !serviceName.equals(name)) {
      errors.add(
          new FieldError(
              "serviceName",
              "'" + serviceName + "' differs from the name in the path '" + name + "'"));
    }
    if (replicas == null && errors.isEmpty()) {
      errors.add(new FieldError("replicas", "is required"));
    } else if (replicas != null && replicas < 0) {
      errors.add(new FieldError("replicas", "must be >= 0, was " + replicas));
    }
    if (!errors.isEmpty()) {
      throw new BadRequest(errors);
    }
    return registry
        .lookup(new FunctionId(namespace, name))
        .thenComposeAsync(
            found ->
                found.isEmpty()
                    ? CompletableFuture.completedFuture(notFound(name, namespace))
                    : sharding
                        .entityRefFor(FunctionEntity.TYPE_KEY, found.get().spec().id().entityId())
                        .<Done>ask(
                            replyTo -> new FunctionEntity.Scale(replicas, replyTo),
                            settings.askTimeout())
                        .thenApplyAsync(
                            done ->
                                Responses.text(
                                    202, "scaling " + name + "." + namespace + " to " + replicas),
                            ec),
            ec);
  }

  private static HttpResponse notFound(String name, String namespace) {
    return Responses.text(404, "function " + name + " not found in namespace " + namespace);
  }
}
