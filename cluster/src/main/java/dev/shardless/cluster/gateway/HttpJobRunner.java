package dev.shardless.cluster.gateway;

import dev.shardless.persistence.async.AttemptOutcome;
import dev.shardless.persistence.async.AttemptOutcome.Kind;
import dev.shardless.persistence.async.JobHeader;
import dev.shardless.persistence.async.JobRequest;
import dev.shardless.persistence.async.JobRunner;
import dev.shardless.scheduler.entity.FunctionEntity;
import dev.shardless.scheduler.entity.FunctionEntity.Leased;
import dev.shardless.scheduler.entity.FunctionEntity.Rejected;
import dev.shardless.scheduler.entity.FunctionEntity.Release;
import dev.shardless.scheduler.model.FunctionId;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import scala.concurrent.ExecutionContextExecutor;

/**
 * Runs async job attempts like synchronous calls: a lease from the function's entity (so async work
 * shares its replicas, buffer, scaling and {@code max_inflight}), one pooled HTTP request to the
 * leased replica with the job's {@code X-Call-Id}, the response read up to {@code
 * shardless.async.max-result} bytes, and one release with the status.
 */
public final class HttpJobRunner implements JobRunner {
  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final Http http;
  private final ExecutionContextExecutor ec;
  private final Leases leases;
  private final long maxResult;
  private final Address self;

  public HttpJobRunner(ActorSystem<?> system, Leases leases, long maxResult) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.http = Http.get(system);
    this.ec = system.executionContext();
    this.leases = leases;
    this.maxResult = maxResult;
    this.self = Leases.selfAddress(system);
  }

  @Override
  public CompletionStage<AttemptOutcome> run(FunctionId function, JobRequest job, int attempt) {
    long start = System.nanoTime();
    CompletableFuture<AttemptOutcome> out = new CompletableFuture<>();
    leases
        .lease(sharding.entityRefFor(FunctionEntity.TYPE_KEY, function.entityId()), null)
        .whenCompleteAsync(
            (reply, error) -> {
              if (reply instanceof Leased leased) {
                new Attempt(out, leased, start).send(job);
              } else if (reply instanceof Rejected r) {
                out.complete(failed(Kind.REJECTED, r.status(), start, r.reason()));
              } else {
                out.complete(
                    failed(
                        Kind.REJECTED,
                        504,
                        start,
                        "no replica of " + function + " was granted within " + leases.maxWait()));
              }
            },
            ec);
    return out;
  }

  private static AttemptOutcome failed(Kind kind, int status, long start, String error) {
    return new AttemptOutcome(
        kind, status, List.of(), new byte[0], false, System.nanoTime() - start, error);
  }

  /** One attempt on a leased replica: completes {@link #out} once and releases the lease once. */
  private final class Attempt implements Runnable {
    private final CompletableFuture<AttemptOutcome> out;
    private final Leased lease;
    private final long start;
    private final AtomicBoolean released = new AtomicBoolean();
    private Cancellable timer;

    Attempt(CompletableFuture<AttemptOutcome> out, Leased lease, long start) {
      this.out = out;
      this.lease = lease;
      this.start = start;
    }

    void send(JobRequest job) {
      HttpRequest request =
          Messages.request(
              job.method(),
              "http://"
                  + lease.host()
                  + ':'
                  + lease.port()
                  + job.path()
                  + (job.rawQuery().isEmpty() ? "" : "?" + job.rawQuery()),
              Messages.withCallId(job.headers(), job.callId()),
              job.body());
      timer = system.classicSystem().scheduler().scheduleOnce(lease.timeout(), this, ec);
      http.singleRequest(request).whenCompleteAsync(this::onResponse, ec);
    }

    /** The function's timeout passed before its response was complete. */
    @Override
    public void run() {
      if (out.complete(
          failed(
              Kind.TIMEOUT,
              504,
              start,
              "did not answer within its timeout of " + lease.timeout().toMillis() + " ms"))) {
        release(504);
      }
    }

    private void onResponse(HttpResponse response, Throwable error) {
      if (error != null) {
        timer.cancel();
        if (out.complete(
            failed(
                Kind.CONNECTION_ERROR,
                502,
                start,
                "replica " + lease.replica() + " failed: " + InvokeHandler.brief(error)))) {
          release(502);
        }
        return;
      }
      int status = response.status().intValue();
      List<JobHeader> headers = Messages.headersOf(response);
      Messages.readUpTo(response.entity(), maxResult, system)
          .whenCompleteAsync(
              (body, readError) -> {
                timer.cancel();
                if (readError != null) {
                  if (out.complete(
                      failed(
                          Kind.CONNECTION_ERROR,
                          502,
                          start,
                          "replica "
                              + lease.replica()
                              + " broke off its response: "
                              + InvokeHandler.brief(readError)))) {
                    release(502);
                  }
                } else if (out.complete(
                    new AttemptOutcome(
                        Kind.RESPONSE,
                        status,
                        headers,
                        body.bytes(),
                        body.truncated(),
                        System.nanoTime() - start,
                        ""))) {
                  release(status);
                }
              },
              ec);
    }

    private void release(int status) {
      if (released.compareAndSet(false, true)) {
        lease.entity().tell(new Release(lease.replica(), status, System.nanoTime() - start, self));
      }
    }
  }
}
