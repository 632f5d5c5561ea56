package dev.shardless.cluster.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardless.scheduler.model.FieldError;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogQueryTest {

  @Test
  void readsTheParametersFaasCliSends() throws Exception {
    LogQuery q =
        LogQuery.parse(
            Map.of(
                "name", "hello",
                "instance", "hello-1",
                "tail", "10",
                "since", "2026-11-22T08:57:39Z",
                "follow", "true"));

    assertThat(q)
        .isEqualTo(
            new LogQuery("hello", "hello-1", 10, Instant.parse("2026-11-22T08:57:39Z"), true));
  }

  @Test
  void onlyNameIsRequiredAndANegativeTailMeansAll() throws Exception {
    assertThat(LogQuery.parse(Map.of("name", "hello", "tail", "-1", "follow", "false")))
        .isEqualTo(new LogQuery("hello", null, -1, null, false));
    assertThat(LogQuery.parse(Map.of("name", "hello", "instance", "", "since", "")))
        .isEqualTo(new LogQuery("hello", null, 0, null, false));
  }

  @Test
  void namesEveryBadField() {
    assertThatThrownBy(
            () -> LogQuery.parse(Map.of("tail", "many", "since", "yesterday", "follow", "maybe")))
        .isInstanceOfSatisfying(
            BadRequest.class,
            e ->
                assertThat(e.errors())
                    .extracting(FieldError::field)
                    .containsExactly("name", "tail", "since", "follow"));
  }
}
