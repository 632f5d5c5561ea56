package dev.shardless.scheduler.model;

import static dev.shardless.scheduler.model.AsyncSpecTest.pairs;
import static dev.shardless.scheduler.model.AsyncSpecTest.spec;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The async labels' checks; the other checks are covered through the gateway's tests. */
class FunctionSpecValidatorTest {

  static List<FieldError> problems(String labels) {
    return FunctionSpecValidator.validate(spec(pairs(labels), Map.of()), true);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "com.openfaas.retry.attempts=1",
    "com.openfaas.retry.attempts=20",
    "com.openfaas.retry.min_wait=1ms",
    "com.openfaas.retry.min_wait=2s com.openfaas.retry.max_wait=2s",
    "com.openfaas.retry.min_wait=500ms com.openfaas.retry.max_wait=1m30s",
    "com.openfaas.retry.max_wait=10",
    "shardless.async.max-concurrency=1",
    "shardless.async.max-concurrency=1000",
  })
  void acceptsValidAsyncLabels(String labels) {
    assertThat(problems(labels)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          com.openfaas.retry.attempts=0         | labels.com.openfaas.retry.attempts    | must be a whole number >= 1, was '0'
          com.openfaas.retry.attempts=-2        | labels.com.openfaas.retry.attempts    | must be a whole number >= 1, was '-2'
          com.openfaas.retry.attempts=three     | labels.com.openfaas.retry.attempts    | must be a whole number >= 1, was 'three'
          com.openfaas.retry.attempts=1.5       | labels.com.openfaas.retry.attempts    | must be a whole number >= 1, was '1.5'
          com.openfaas.retry.min_wait=soon      | labels.com.openfaas.retry.min_wait    | must be a duration > 0 like '500ms' or '2s', was 'soon'
          com.openfaas.retry.min_wait=0s        | labels.com.openfaas.retry.min_wait    | must be a duration > 0 like '500ms' or '2s', was '0s'
          com.openfaas.retry.max_wait=-1s       | labels.com.openfaas.retry.max_wait    | must be a duration > 0 like '500ms' or '2s', was '-1s'
          com.openfaas.retry.max_wait=0         | labels.com.openfaas.retry.max_wait    | must be a duration > 0 like '500ms' or '2s', was '0'
          shardless.async.max-concurrency=0     | labels.shardless.async.max-concurrency | must be a whole number >= 1, was '0'
          shardless.async.max-concurrency=lots  | labels.shardless.async.max-concurrency | must be a whole number >= 1, was 'lots'
          """)
  void namesTheBadLabel(String labels, String field, String message) {
    assertThat(problems(labels)).containsExactly(new FieldError(field, message));
  }

  @Test
  void minWaitMustNotExceedMaxWait() {
    assertThat(problems("com.openfaas.retry.min_wait=2s com.openfaas.retry.max_wait=500ms"))
        .containsExactly(
            new FieldError(
                "labels.com.openfaas.retry.min_wait",
                "must not exceed com.openfaas.retry.max_wait (2s > 500ms)"));
  }

  @Test
  void reportsEveryBadAsyncLabelAtOnce() {
    List<FieldError> errors =
        problems(
            "com.openfaas.retry.attempts=0 com.openfaas.retry.min_wait=x"
                + " com.openfaas.retry.max_wait=y shardless.async.max-concurrency=0");
    assertThat(errors)
        .extracting(FieldError::field)
        .containsExactly(
            "labels.com.openfaas.retry.attempts",
            "labels.shardless.async.max-concurrency",
            "labels.com.openfaas.retry.min_wait",
            "labels.com.openfaas.retry.max_wait");
  }

  @Test
  void aValidSpecForAsyncFromLabelsMatchesItsChecks() {
    // Every spec the validator accepts can be read: AsyncSpec.of assumes valid labels.
    String labels =
        "com.openfaas.retry.attempts=2 com.openfaas.retry.min_wait=3s"
            + " com.openfaas.retry.max_wait=4s shardless.async.max-concurrency=5";
    assertThat(problems(labels)).isEmpty();
    assertThat(AsyncSpec.of(spec(pairs(labels), Map.of()), AsyncSpecTest.DEFAULTS).maxConcurrency())
        .isEqualTo(5);
  }
}
