package dev.shardless.persistence.async;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shardless.persistence.async.JobEvent.JobAccepted;
import dev.shardless.persistence.async.JobEvent.JobFailed;
import dev.shardless.persistence.async.JobEvent.JobStarted;
import dev.shardless.persistence.async.JobEvent.JobSucceeded;
import dev.shardless.scheduler.model.FunctionId;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CallbackMessageTest {
  static final FunctionId FN = new FunctionId("team-a", "resize");

  static StoredJob finished(StoredResult result) {
    QueueState state = new QueueState(10, 8);
    state.onAccepted(new JobAccepted(QueueHarness.request("call-7", "", "http://r"), 1));
    state.onStarted(new JobStarted("call-7", 1, 2));
    state.onSucceeded(new JobSucceeded("call-7", 3, result));
    return state.job("call-7").orElseThrow();
  }

  static List<String> lines(CallbackMessage m) {
    return m.headers().stream().map(h -> h.name() + ": " + h.value()).toList();
  }

  @Test
  void carriesTheFunctionsEndToEndHeadersThenOurs() {
    StoredResult result =
        new StoredResult(
            202,
            List.of(
                new JobHeader("Content-Type", "application/json"),
                new JobHeader("Keep-Alive", "timeout=5"),
                new JobHeader("Transfer-Encoding", "chunked"),
                new JobHeader("connection", "x-private"),
                new JobHeader("X-Private", "secret"),
                new JobHeader("X-Call-Id", "forged"),
                new JobHeader("Set-Cookie", "a=1"),
                new JobHeader("Set-Cookie", "b=2")),
            "{}".getBytes(StandardCharsets.UTF_8),
            2,
            false,
            1_500_000_000L);

    CallbackMessage m = CallbackMessage.of(FN, finished(result));

    assertEquals(
        List.of(
            "Content-Type: application/json",
            "Set-Cookie: a=1",
            "Set-Cookie: b=2",
            "X-Call-Id: call-7",
            "X-Function-Status: 202",
            "X-Function-Name: resize.team-a",
            "X-Duration-Seconds: 1.500000"),
        lines(m));
    assertEquals("{}", new String(m.body(), StandardCharsets.UTF_8));
  }

  @Test
  void aCutBodyIsMarkedTruncated() {
    StoredResult cut = new StoredResult(200, List.of(), new byte[] {1, 2}, 2, true, 0);
    List<String> lines = lines(CallbackMessage.of(FN, finished(cut)));
    assertEquals("X-Shardless-Result-Truncated: true", lines.get(lines.size() - 1));
  }

  @Test
  void aJobWithoutAResponseSendsItsErrorAsText() {
    QueueState state = new QueueState(10, 8);
    state.onAccepted(new JobAccepted(QueueHarness.request("c", "", "http://r"), 1));
    state.onStarted(new JobStarted("c", 1, 2));
    state.onFailed(new JobFailed("c", 3, 404, "function not deployed", Optional.empty(), 0));

    CallbackMessage m = CallbackMessage.of(FN, state.job("c").orElseThrow());

    assertEquals(
        List.of(
            "Content-Type: text/plain; charset=utf-8",
            "X-Call-Id: c",
            "X-Function-Status: 404",
            "X-Function-Name: resize.team-a",
            "X-Duration-Seconds: 0.000000"),
        lines(m));
    assertEquals("function not deployed", new String(m.body(), StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @CsvSource({"0, 0.000000", "1234000, 0.001234", "999, 0.000001", "61000000000, 61.000000"})
  void durationsHaveSixDecimals(long nanos, String want) {
    assertEquals(want, CallbackMessage.seconds(nanos));
  }
}
