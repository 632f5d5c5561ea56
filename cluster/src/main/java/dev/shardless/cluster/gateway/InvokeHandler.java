package dev.shardless.cluster.gateway;

import dev.shardless.cluster.gateway.GatewayMetrics.FunctionMeter;
import dev.shardless.scheduler.entity.FunctionEntity;
import dev.shardless.scheduler.entity.FunctionEntity.Command;
import dev.shardless.scheduler.entity.FunctionEntity.LeaseReply;
import dev.shardless.scheduler.entity.FunctionEntity.Leased;
import dev.shardless.scheduler.entity.FunctionEntity.Rejected;
import dev.shardless.scheduler.entity.FunctionEntity.Release;
import dev.shardless.scheduler.model.FunctionId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import scala.concurrent.ExecutionContextExecutor;

/**
 * The synchronous invocation path: a slot on a replica (an idle slot this node holds, else one ask
 * for a lease to the function's entity), one pooled HTTP request to the replica, and the slot back
 * when the response body has been passed on: to the node's {@link SlotHolder} when it holds the
 * slot, else one tell to release the lease (DESIGN.md §1).
 *
 * <p>Every continuation runs on the actor system's dispatcher ({@link #ec}), never on {@code
 * CompletableFuture}'s default executor: on 2 cores that default starts a thread per task and costs
 * 5× in throughput (DESIGN.md §6). Bodies are streamed both ways, never held whole.
 */
final class InvokeHandler {
  static final String CALL_ID = "X-Call-Id";
  private static final Executor DIRECT = Runnable::run;

  private final ClusterSharding sharding;
  private final Http http;
  private final ActorSystem<?> system;
  private final ExecutionContextExecutor ec;
  private final Leases leases;
  private final String defaultNamespace;
  private final GatewayMetrics metrics;
  private final LiveStats live;
  private final SlotHolder slots;

  /** This node, named in releases: an entity elsewhere takes back its leases if it leaves. */
  private final Address self;

  /** Entity refs of functions that answered a lease; unknown names are never cached. */
  private final ConcurrentHashMap<FunctionId, EntityRef<Command>> refs = new ConcurrentHashMap<>();

  InvokeHandler(
      ActorSystem<?> system,
      String defaultNamespace,
      Leases leases,
      SlotHolder slots,
      GatewayMetrics metrics,
      LiveStats live) {
    this.slots = slots;
    this.metrics = metrics;
    this.live = live;
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.http = Http.get(system);
    this.ec = system.executionContext();
    this.leases = leases;
    this.defaultNamespace = defaultNamespace;
    this.self = Leases.selfAddress(system);
  }

  /** Handles {@code /function/<rest>}; {@code rest} is the raw path after the prefix. */
  CompletionStage<HttpResponse> invoke(HttpRequest request, String rest) {
    InvokeTarget target = InvokeTarget.parse(rest, defaultNamespace);
    if (target == null) {
      request.discardEntityBytes(system);
      return CompletableFuture.completedFuture(InvokeTarget.notFound(rest));
    }
    long startNanos = System.nanoTime();
    long startWallNanos = System.currentTimeMillis() * 1_000_000L;
    String callId =
        request.getHeader(CALL_ID).map(HttpHeader::value).orElseGet(InvokeHandler::newCallId);
    FunctionMeter known = metrics.existing(target.function());
    if (known != null) {
      known.started();
    }
    CompletableFuture<HttpResponse> result = new CompletableFuture<>();
    SlotPool.Held held = slots.take(target.function());
    if (held != null) {
      FunctionMeter meter = known != null ? known : startedOnReply(target, held.lease());
      new Call(result, target, meter, held.lease(), held, callId, startNanos, startWallNanos)
          .forward(request);
      return result;
    }
    askAndForward(request, target, known, callId, startNanos, startWallNanos, result, false);
    return result;
  }

  /**
   * Asks the function's entity for a lease, then forwards the call, or answers its refusal. {@code
   * known}: the function's meter, already counting this call as started, or null. {@code again}:
   * the call's held slot could not connect; this ask holds nothing, so a call asks at most twice.
   */
  private void askAndForward(
      HttpRequest request,
      InvokeTarget target,
      FunctionMeter known,
      String callId,
      long startNanos,
      long startWallNanos,
      CompletableFuture<HttpResponse> result,
      boolean again) {
    EntityRef<Command> entity = entityRef(target.function());
    leases
        .lease(entity, again ? null : slots.holder())
        .whenCompleteAsync(
            (reply, error) -> {
              if (result.isDone()) {
                // Answered meanwhile (its first attempt's timeout): the slot goes straight back.
                if (reply instanceof Leased leased) {
                  Leases.giveBackUnused(leased, self);
                }
                request.discardEntityBytes(system);
                return;
              }
              FunctionMeter meter = known != null ? known : startedOnReply(target, reply);
              if (reply instanceof Leased leased) {
                refs.putIfAbsent(target.function(), entity);
                new Call(
                        result,
                        target,
                        meter,
                        leased,
                        slots.adopt(target.function(), leased),
                        callId,
                        startNanos,
                        startWallNanos)
                    .forward(request);
                return;
              }
              request.discardEntityBytes(system);
              HttpResponse response =
                  reply instanceof Rejected rejected
                      ? rejected(rejected)
                      : Responses.text(
                          504, "timed out waiting for a replica of " + target.function());
              result.complete(decorate(response, callId, startWallNanos, startNanos));
              // Only a function's own entity's refusal proves the function exists.
              boolean exists = reply instanceof Rejected r && r.status() != 404;
              record(
                  exists ? target.function() : null,
                  meter,
                  response.status().intValue(),
                  startNanos);
            },
            ec);
  }

  /**
   * The meter of a function that had none when the call started, counting this call as started;
   * {@code null} for an unknown function (404), so unknown names never create instruments.
   */
  private FunctionMeter startedOnReply(InvokeTarget target, LeaseReply reply) {
    if (reply instanceof Rejected r && r.status() == 404) {
      return null;
    }
    FunctionMeter meter = metrics.meter(target.function());
    if (meter != null) {
      meter.started();
    }
    return meter;
  }

  /**
   * Records a finished call in the metrics and in the dashboard's {@link LiveStats}; {@code
   * function} is null when the function may not exist (so unknown names take no memory).
   */
  private void record(FunctionId function, FunctionMeter meter, int status, long startNanos) {
    long now = System.nanoTime();
    if (meter != null) {
      meter.completed(status, now - startNanos);
    }
    if (function != null) {
      live.completed(function, status, now - startNanos, now / 1_000_000_000L);
    }
  }

  private EntityRef<Command> entityRef(FunctionId id) {
    EntityRef<Command> cached = refs.get(id);
    return cached != null ? cached : sharding.entityRefFor(FunctionEntity.TYPE_KEY, id.entityId());
  }

  private static HttpResponse rejected(Rejected r) {
    HttpResponse response = Responses.text(r.status(), r.reason());
    if (r.status() == 429 || r.status() == 503) {
      long seconds = Math.max(1, (r.retryAfter().toMillis() + 999) / 1000);
      response = response.addHeader(RawHeader.create("Retry-After", Long.toString(seconds)));
    }
    return response;
  }

  /**
   * One forwarded call: completes {@link #result} once, and gives its slot back once (to the node's
   * {@link SlotHolder} when {@link #held}, else to the entity).
   */
  private final class Call implements Runnable {
    private final CompletableFuture<HttpResponse> result;
    private final AtomicBoolean released = new AtomicBoolean();
    private final InvokeTarget target;
    private final FunctionMeter meter;
    private final Leased lease;
    private final SlotPool.Held held;
    private final String callId;
    private final long startNanos;
    private final long startWallNanos;
    private Cancellable timer;
    private HttpRequest request;

    Call(
        CompletableFuture<HttpResponse> result,
        InvokeTarget target,
        FunctionMeter meter,
        Leased lease,
        SlotPool.Held held,
        String callId,
        long startNanos,
        long wallNanos) {
      this.result = result;
      this.target = target;
      this.meter = meter;
      this.lease = lease;
      this.held = held;
      this.callId = callId;
      this.startNanos = startNanos;
      this.startWallNanos = wallNanos;
    }

    void forward(HttpRequest request) {
      this.request = request;
      HttpRequest outgoing = outgoing(request);
      timer = system.classicSystem().scheduler().scheduleOnce(lease.timeout(), this, ec);
      // onResponse only wraps and completes: it runs on the thread that completes the request.
      http.singleRequest(outgoing).whenCompleteAsync(this::onResponse, DIRECT);
    }

    private HttpRequest outgoing(HttpRequest request) {
      StringBuilder uri =
          new StringBuilder(64)
              .append("http://")
              .append(lease.host())
              .append(':')
              .append(lease.port())
              .append(target.path());
      Optional<String> query = request.getUri().rawQueryString();
      query.ifPresent(q -> uri.append('?').append(q));
      return request
          .withUri(Uri.create(uri.toString()))
          .withHeaders(withCallId(forwardedHeaders(request), callId));
    }

    /** The function's timeout passed before it answered. */
    @Override
    public void run() {
      if (result.complete(
          decorate(
              Responses.text(
                  504,
                  "function "
                      + entityName()
                      + " did not answer within its timeout of "
                      + lease.timeout().toMillis()
                      + " ms"),
              callId,
              startWallNanos,
              startNanos))) {
        release(504, SlotHolder.Outcome.GIVE_BACK);
        record(target.function(), meter, 504, startNanos);
      }
    }

    private void onResponse(HttpResponse response, Throwable error) {
      timer.cancel();
      HttpRequest sent = request;
      request = null; // the body, if held whole, is needed no longer than this
      if (result.isDone()) {
        // Timed out meanwhile; its timer released the slot, unless this is a retry it never saw.
        release(504, SlotHolder.Outcome.GIVE_BACK);
        if (response != null) {
          response.discardEntityBytes(system);
        }
        return;
      }
      if (error != null) {
        release(502, SlotHolder.Outcome.BROKEN);
        if (held != null && Failures.notConnected(error) && replayable(sent)) {
          // A held slot whose replica is gone (its entity's node crashed, or the replica stopped
          // before the recall arrived): the call never reached it, so it asks the entity, once.
          askAndForward(sent, target, meter, callId, startNanos, startWallNanos, result, true);
          return;
        }
        result.complete(
            decorate(
                Responses.text(
                    502,
                    "replica "
                        + lease.replica()
                        + " of "
                        + entityName()
                        + " failed: "
                        + brief(error)),
                callId,
                startWallNanos,
                startNanos));
        record(target.function(), meter, 502, startNanos);
        return;
      }
      int status = response.status().intValue();
      ResponseEntity entity = response.entity();
      HttpResponse passed = response;
      if (entity.isStrict() || entity.isKnownEmpty()) {
        release(status, SlotHolder.Outcome.OK);
      } else {
        passed = response.withEntity(releasingOnEnd(entity, status));
      }
      if (result.complete(decorate(passed, callId, startWallNanos, startNanos))) {
        record(target.function(), meter, status, startNanos);
      } else {
        passed.discardEntityBytes(system);
      }
    }

    /** Re-wraps a streamed body so the lease is released when the last byte is passed on. */
    private ResponseEntity releasingOnEnd(ResponseEntity entity, int status) {
      Source<ByteString, Object> watched =
          entity
              .getDataBytes()
              .watchTermination(
                  (mat, done) -> {
                    done.whenComplete(
                        (d, e) ->
                            release(
                                e == null ? status : 502,
                                e == null ? SlotHolder.Outcome.OK : SlotHolder.Outcome.GIVE_BACK));
                    return mat;
                  });
      OptionalLong length = entity.getContentLengthOption();
      return length.isPresent()
          ? HttpEntities.create(entity.getContentType(), length.getAsLong(), watched)
          : HttpEntities.createChunked(entity.getContentType(), watched);
    }

    private void release(int status, SlotHolder.Outcome outcome) {
      if (!released.compareAndSet(false, true)) {
        return;
      }
      if (held != null) {
        slots.done(held, outcome);
      } else {
        lease
            .entity()
            .tell(new Release(lease.replica(), status, System.nanoTime() - startNanos, self));
      }
    }

    private String entityName() {
      return target.function().toString();
    }
  }

  /** True when {@code request}'s body can be sent again (held whole, or none). */
  private static boolean replayable(HttpRequest request) {
    return request.entity().isKnownEmpty() || request.entity().isStrict();
  }

  /**
   * {@code headers} with the call's {@code X-Call-Id} added (the function sees the caller's, or the
   * one the gateway made).
   */
  private static List<HttpHeader> withCallId(List<HttpHeader> headers, String callId) {
    headers.add(RawHeader.create(CALL_ID, callId));
    return headers;
  }

  /**
   * The caller's headers minus the hop-by-hop ones and its {@code X-Call-Id}, plus {@code
   * X-Forwarded-For} and {@code X-Forwarded-Host}.
   */
  static List<HttpHeader> forwardedHeaders(HttpRequest request) {
    List<HttpHeader> out = new ArrayList<>(16);
    String forwardedFor = null;
    String host = null;
    for (HttpHeader h : request.getHeaders()) {
      String name = h.lowercaseName();
      switch (name) {
        case "x-forwarded-for" -> forwardedFor = h.value();
        case "host" -> host = h.value();
        case "connection",
            "keep-alive",
            "proxy-connection",
            "proxy-authorization",
            "te",
            "trailer",
            "upgrade",
            "timeout-access",
            "x-call-id" -> {}
        default -> out.add(h);
      }
    }
    String client =
        request
            .getAttribute(AttributeKeys.remoteAddress)
            .flatMap(RemoteAddress::getAddress)
            .map(a -> a.getHostAddress())
            .orElse(null);
    if (client != null) {
      out.add(
          RawHeader.create(
              "X-Forwarded-For", forwardedFor == null ? client : forwardedFor + ", " + client));
    } else if (forwardedFor != null) {
      out.add(RawHeader.create("X-Forwarded-For", forwardedFor));
    }
    if (host != null) {
      out.add(RawHeader.create("X-Forwarded-Host", host));
    }
    return out;
  }

  /** Adds the OpenFaaS call headers to a response. */
  static HttpResponse decorate(
      HttpResponse response, String callId, long startWallNanos, long startNanos) {
    long took = System.nanoTime() - startNanos;
    return response
        .addHeader(RawHeader.create(CALL_ID, callId))
        .addHeader(RawHeader.create("X-Start-Time", Long.toString(startWallNanos)))
        .addHeader(RawHeader.create("X-Duration-Seconds", seconds(took)));
  }

  /** Nanoseconds as seconds with six decimals, like Go's {@code %f}: {@code 0.001234}. */
  static String seconds(long nanos) {
    long micros = nanos / 1000;
    StringBuilder b = new StringBuilder(16).append(micros / 1_000_000).append('.');
    String frac = Long.toString(micros % 1_000_000);
    for (int i = frac.length(); i < 6; i++) {
      b.append('0');
    }
    return b.append(frac).toString();
  }

  /** A random version-4 UUID without {@code SecureRandom}'s contention. */
  static String newCallId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
    long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb).toString();
  }

  static String brief(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return m.length() > 200 ? m.substring(0, 200) + "…" : m;
  }
}
