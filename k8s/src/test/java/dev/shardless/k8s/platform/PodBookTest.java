package dev.shardless.k8s.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.shardless.k8s.platform.PodBook.Binding;
import dev.shardless.k8s.platform.PodBook.Changes;
import dev.shardless.k8s.platform.PodBook.Loss;
import dev.shardless.scheduler.model.ReplicaId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PodBookTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final ReplicaId A = new ReplicaId("f-1");
  private static final ReplicaId B = new ReplicaId("f-2");
  private static final ReplicaId C = new ReplicaId("f-3");
  private static final String V1 = "1111111111111111";
  private static final String V2 = "2222222222222222";

  private final PodBook book = new PodBook();

  static PodView serving(String name) {
    return new PodView(name, true, "10.0.0." + name.length(), 8080, false, false, false, V1);
  }

  static PodView notReady(String name) {
    return new PodView(name, false, "10.0.0.9", 8080, false, false, false, V1);
  }

  static PodView marked(String name) {
    return new PodView(name, true, "10.0.0.8", 8080, false, false, true, V1);
  }

  /** A Ready pod built from the spec of version {@code version} (null: no annotation). */
  static PodView serving(String name, String version) {
    return new PodView(name, true, "10.0.0." + name.length(), 8080, false, false, false, version);
  }

  static PodView notReady(String name, String version) {
    return new PodView(name, false, "10.0.0.9", 8080, false, false, false, version);
  }

  @Test
  void startsAreCountedInTheDesiredCountOnce() {
    assertThat(book.start(A, V1, T0)).isTrue();
    assertThat(book.start(A, V1, T0)).isFalse();
    assertThat(book.start(B, V1, T0)).isTrue();

    assertThat(book.desired()).isEqualTo(2);
    assertThat(book.isPending(A)).isTrue();
  }

  @Test
  void pendingIdsBindFirstComeFirstServedToServingPodsByName() {
    book.start(A, V1, T0);
    book.start(B, V1, T0.plusSeconds(1));

    Changes c = book.observe(List.of(serving("pod-b"), serving("pod-a")));

    assertThat(c.bound())
        .extracting(Binding::id, Binding::pod)
        .containsExactly(tuple(A, "pod-a"), tuple(B, "pod-b"));
    assertThat(c.bound().get(0).host()).isEqualTo("10.0.0.5");
    assertThat(c.bound().get(0).port()).isEqualTo(8080);
    assertThat(book.desired()).isEqualTo(2);
  }

  @Test
  void morePendingIdsThanPodsLeavesTheLaterOnesWaiting() {
    book.start(A, V1, T0);
    book.start(B, V1, T0);

    Changes c = book.observe(List.of(serving("p1")));

    assertThat(c.bound()).extracting(Binding::id).containsExactly(A);
    assertThat(book.isPending(B)).isTrue();
  }

  static Stream<Arguments> podsThatMayNotServe() {
    return Stream.of(
        Arguments.of(
            "not ready", new PodView("p", false, "10.0.0.1", 8080, false, false, false, V1)),
        Arguments.of("no ip", new PodView("p", true, null, 8080, false, false, false, V1)),
        Arguments.of("empty ip", new PodView("p", true, "", 8080, false, false, false, V1)),
        Arguments.of(
            "terminating", new PodView("p", true, "10.0.0.1", 8080, true, false, false, V1)),
        Arguments.of("finished", new PodView("p", true, "10.0.0.1", 8080, false, true, false, V1)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("podsThatMayNotServe")
  void aPendingIdNeverBindsToAPodThatMayNotServe(String why, PodView pod) {
    book.start(A, V1, T0);

    assertThat(book.observe(List.of(pod)).bound()).isEmpty();
    assertThat(book.isPending(A)).isTrue();
  }

  @Test
  void aPodHeldByOneIdIsNeverBoundToAnother() {
    book.start(A, V1, T0);
    book.observe(List.of(serving("p1")));
    book.start(B, V1, T0);

    assertThat(book.observe(List.of(serving("p1"))).bound()).isEmpty();
    assertThat(book.observe(List.of(serving("p1"), serving("p2"))).bound())
        .extracting(Binding::id, Binding::pod)
        .containsExactly(tuple(B, "p2"));
  }

  @Test
  void unmarkedPodsAreBoundBeforeMarkedOnesAndAMarkedPodIsUnmarkedWhenBound() {
    book.start(A, V1, T0);
    book.start(B, V1, T0);

    Changes c = book.observe(List.of(marked("a-marked"), serving("z-plain")));

    assertThat(c.bound())
        .extracting(Binding::id, Binding::pod, Binding::unmark)
        .containsExactly(tuple(A, "z-plain", false), tuple(B, "a-marked", true));
  }

  static Stream<Arguments> boundPodChanges() {
    return Stream.of(
        Arguments.of(List.of(), "pod p1 deleted"),
        Arguments.of(
            List.of(new PodView("p1", true, "10.0.0.1", 8080, true, false, false, V1)),
            "pod p1 deleted"),
        Arguments.of(
            List.of(new PodView("p1", false, "10.0.0.1", 8080, false, true, false, V1)),
            "pod p1 failed"),
        Arguments.of(List.of(notReady("p1")), "pod p1 not ready"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("boundPodChanges")
  void aBoundIdIsLostWhenItsPodStopsServingUnasked(List<PodView> pods, String reason) {
    book.start(A, V1, T0);
    book.observe(List.of(serving("p1")));

    Changes c = book.observe(pods);

    assertThat(c.lost()).containsExactly(new Loss(A, reason));
    assertThat(book.knows(A)).isFalse();
    assertThat(book.desired()).isZero();
  }

  @Test
  void aLostPodThatServesAgainMayBindANewId() {
    book.start(A, V1, T0);
    book.observe(List.of(serving("p1")));
    book.observe(List.of(notReady("p1")));
    book.start(B, V1, T0);

    assertThat(book.observe(List.of(serving("p1"))).bound())
        .extracting(Binding::id)
        .containsExactly(B);
  }

  @Test
  void aPendingIdNeverBindsToAReadyPodOfAnotherSpecVersion() {
    book.start(A, V1, T0);
    book.observe(List.of(serving("old-1", V1)));
    book.start(B, V2, T0.plusSeconds(1)); // the spec was updated to v2

    Changes c = book.observe(List.of(serving("old-1", V1), serving("old-2", V1)));

    assertThat(c.bound()).isEmpty();
    assertThat(book.isPending(B)).isTrue();
  }

  @Test
  void aPendingIdBindsOnceAPodOfItsSpecVersionIsReady() {
    book.start(B, V2, T0);
    List<PodView> rollingOut = List.of(serving("old-1", V1), notReady("new-1", V2));
    assertThat(book.observe(rollingOut).bound()).isEmpty();

    Changes c = book.observe(List.of(serving("old-1", V1), serving("new-1", V2)));

    assertThat(c.bound()).extracting(Binding::id, Binding::pod).containsExactly(tuple(B, "new-1"));
  }

  @Test
  void eachPendingIdTakesAPodOfItsOwnVersionWhateverTheQueueOrder() {
    book.start(A, V2, T0); // oldest, but no v2 pod yet
    book.start(B, V1, T0.plusSeconds(1)); // started just before the update

    Changes c = book.observe(List.of(serving("old-1", V1)));

    assertThat(c.bound()).extracting(Binding::id, Binding::pod).containsExactly(tuple(B, "old-1"));
    assertThat(book.isPending(A)).isTrue();
  }

  @Test
  void aLegacyPodWithoutASpecVersionBindsOnlyWhenNoFreePodOfTheIdsVersionServes() {
    book.start(A, V1, T0);
    book.start(B, V1, T0);
    List<PodView> pods = List.of(serving("a-legacy", null), serving("b-versioned", V1));

    assertThat(book.observe(pods).bound())
        .extracting(Binding::id, Binding::pod)
        .containsExactly(tuple(A, "b-versioned"), tuple(B, "a-legacy"));
  }

  @Test
  void afterAPlatformUpgradeANewIncarnationAdoptsTheLegacyPodsTheOldOperatorBuilt() {
    List<PodView> leftovers = List.of(serving("p1", null), serving("p2", null));
    book.start(A, V2, T0);

    assertThat(book.observe(leftovers).bound()).extracting(Binding::pod).containsExactly("p1");
    assertThat(book.toMark(leftovers)).containsExactly("p2");
  }

  @Test
  void podsNoPendingIdCanUseAreMarkedFirstOnAScaleDown() {
    // desired 2 (a v2 id bound to new-1, one v2 id pending); live: old-1, old-2 (v1, Ready, free),
    // new-1 (bound), new-2 (v2, not Ready yet), unversioned (legacy, not Ready): 5 live − 2
    // desired = 3 to remove → the useless v1 pods, then the legacy one before the v2 one
    book.start(A, V2, T0);
    book.observe(List.of(serving("new-1", V2)));
    book.start(B, V2, T0);
    List<PodView> pods =
        List.of(
            serving("old-2", V1),
            serving("old-1", V1),
            serving("new-1", V2),
            notReady("new-2", V2),
            notReady("unversioned", null));

    assertThat(book.toMark(pods)).containsExactly("old-1", "old-2", "unversioned");
  }

  @Test
  void oldPodsAreMarkedEvenWhenTheCountDoesNotFallSoTheRolloutRemovesThemFirst() {
    // desired 2: two v2 ids pending; live: two v1 pods (free), of no use to either
    book.start(A, V2, T0);
    book.start(B, V2, T0);
    List<PodView> pods = List.of(serving("old-1", V1), serving("old-2", V1));

    assertThat(book.observe(pods).bound()).isEmpty();
    assertThat(book.toMark(pods)).containsExactly("old-1", "old-2");
  }

  @Test
  void aFreeOldPodIsMarkedSoTheRolloutTakesItBeforeTheOldPodStillDraining() {
    // a v1 id bound to old-1 (draining in the entity, not stopped yet), a v2 id pending;
    // old-2 is a free v1 pod: 2 live, 2 desired, yet old-2 is the one the rollout should remove
    book.start(A, V1, T0);
    book.observe(List.of(serving("old-1", V1)));
    book.start(B, V2, T0);
    List<PodView> pods = List.of(serving("old-1", V1), serving("old-2", V1));

    assertThat(book.observe(pods).bound()).isEmpty();
    assertThat(book.toMark(pods)).containsExactly("old-2");
  }

  @Test
  void aMarkedOldPodIsBoundAgainWhenAnIdOfItsVersionComesBack() {
    book.start(A, V2, T0);
    List<PodView> pods = List.of(serving("old-1", V1));
    assertThat(book.toMark(pods)).containsExactly("old-1");
    book.stop(A);
    book.start(B, V1, T0); // rolled back to v1

    assertThat(book.observe(pods).bound())
        .extracting(Binding::id, Binding::pod, Binding::unmark)
        .containsExactly(tuple(B, "old-1", true));
  }

  @Test
  void adoptionAfterAHandOffBindsOnlyThePodsOfTheCurrentSpec() {
    // the last incarnation left v1 and v2 pods; this one runs v2
    List<PodView> leftovers =
        List.of(serving("a-old", V1), serving("b-new", V2), serving("c-new", V2));
    book.start(A, V2, T0);
    book.start(B, V2, T0);

    assertThat(book.observe(leftovers).bound())
        .extracting(Binding::id, Binding::pod)
        .containsExactly(tuple(A, "b-new"), tuple(B, "c-new"));
    assertThat(book.toMark(leftovers)).containsExactly("a-old");
  }

  @Test
  void stopOfAnUnknownIdSaysUnknown() {
    assertThat(book.stop(A)).isInstanceOf(PodBook.Unknown.class);
  }

  @Test
  void stopOfAPendingIdEndsItAtOnceAndLowersTheDesiredCount() {
    book.start(A, V1, T0);

    assertThat(book.stop(A)).isInstanceOf(PodBook.WasPending.class);
    assertThat(book.desired()).isZero();
    assertThat(book.knows(A)).isFalse();
  }

  @Test
  void stopOfABoundIdDrainsItsPodUntilThePodIsGone() {
    book.start(A, V1, T0);
    book.observe(List.of(serving("p1")));

    assertThat(book.stop(A)).isEqualTo(new PodBook.Draining("p1"));
    assertThat(book.stop(A)).isInstanceOf(PodBook.AlreadyStopping.class);
    assertThat(book.desired()).isZero();

    PodView terminating = new PodView("p1", true, "10.0.0.1", 8080, true, false, true, V1);
    assertThat(book.observe(List.of(terminating)).isEmpty()).isTrue();
    Changes gone = book.observe(List.of());
    assertThat(gone.stopped()).containsExactly(A);
    assertThat(gone.lost()).isEmpty();
    assertThat(book.knows(A)).isFalse();
  }

  @Test
  void aStoppingPodIsNeverBoundAgain() {
    book.start(A, V1, T0);
    book.observe(List.of(serving("p1")));
    book.stop(A);
    book.start(B, V1, T0);

    assertThat(book.observe(List.of(serving("p1"))).bound()).isEmpty();
  }

  @Test
  void overdueEndsAStoppingIdOnceAndNamesItsPod() {
    book.start(A, V1, T0);
    book.observe(List.of(serving("p1")));
    book.stop(A);

    assertThat(book.overdue(A)).isEqualTo("p1");
    assertThat(book.overdue(A)).isNull();
    assertThat(book.observe(List.of()).stopped()).isEmpty();
  }

  @Test
  void overdueOfAnIdAlreadyStoppedIsNull() {
    book.start(A, V1, T0);
    book.observe(List.of(serving("p1")));
    book.stop(A);
    book.observe(List.of());

    assertThat(book.overdue(A)).isNull();
  }

  @Test
  void pendingIdsExpireOnlyOnceTheTimeoutHasPassedSinceTheirStart() {
    Duration timeout = Duration.ofMinutes(5);
    book.start(A, V1, T0);
    book.start(B, V1, T0.plusSeconds(30));

    assertThat(book.expire(T0.plus(timeout).minusMillis(1), timeout)).isEmpty();
    assertThat(book.expire(T0.plus(timeout), timeout))
        .containsExactly(new Loss(A, "no Ready pod after 5m"));
    assertThat(book.isPending(B)).isTrue();
    assertThat(book.desired()).isEqualTo(1);
  }

  @Test
  void boundIdsNeverExpire() {
    book.start(A, V1, T0);
    book.observe(List.of(serving("p1")));

    assertThat(book.expire(T0.plus(Duration.ofDays(1)), Duration.ofMinutes(5))).isEmpty();
  }

  @Test
  void loseAllPendingEndsOnlyTheWaitingIds() {
    book.start(A, V1, T0);
    book.observe(List.of(serving("p1")));
    book.start(B, V1, T0);
    book.start(C, V1, T0);

    assertThat(book.loseAllPending("Deployment ns/f not found after 2m"))
        .containsExactly(
            new Loss(B, "Deployment ns/f not found after 2m"),
            new Loss(C, "Deployment ns/f not found after 2m"));
    assertThat(book.desired()).isEqualTo(1);
    assertThat(book.podOf(A)).isEqualTo("p1");
  }

  @Test
  void theStoppingPodIsMarkedBeforeTheScaleDown() {
    book.start(A, V1, T0);
    book.start(B, V1, T0);
    List<PodView> pods = List.of(serving("p1"), serving("p2"));
    book.observe(pods);
    book.stop(A);

    assertThat(book.toMark(pods)).containsExactly("p1");
    assertThat(book.toMark(pods)).as("marked once").isEmpty();
  }

  @Test
  void surplusFreePodsAreMarkedNotReadyFirstAndHeldPodsNever() {
    // desired 2: a holds p1, b stops p2; free p3 (Ready) and p4 (not Ready); 4 live - 2 = 2 go
    book.start(A, V1, T0);
    book.start(B, V1, T0);
    book.observe(List.of(serving("p1"), serving("p2")));
    book.stop(B);
    book.start(C, V1, T0);
    List<PodView> pods = List.of(serving("p1"), serving("p2"), serving("p3"), notReady("p4"));

    assertThat(book.toMark(pods)).containsExactly("p2", "p4");
  }

  @Test
  void noFreePodIsMarkedWhileThePodsDoNotExceedTheDesiredCount() {
    book.start(A, V1, T0);
    book.start(B, V1, T0);

    assertThat(book.toMark(List.of(notReady("p1"), notReady("p2")))).isEmpty();
  }

  @Test
  void adoptionBindsNewIdsToReadyPodsAndMarksTheLeftovers() {
    List<PodView> leftovers = List.of(serving("p1"), serving("p2"), serving("p3"));
    book.start(A, V1, T0);

    assertThat(book.observe(leftovers).bound()).extracting(Binding::pod).containsExactly("p1");
    assertThat(book.toMark(leftovers)).containsExactly("p2", "p3");
    assertThat(book.desired()).isEqualTo(1);
  }

  @Test
  void podsAlreadyMarkedOrNotLiveAreNotMarked() {
    PodView terminating = new PodView("p2", true, "10.0.0.2", 8080, true, false, false, V1);

    assertThat(book.toMark(List.of(marked("p1"), terminating))).isEmpty();
  }

  /**
   * Random timelines of starts, stops, expiries, overdue stops and pod changes, over two spec
   * versions and legacy pods: an id leaves the book exactly when it is reported ended, and never
   * twice; no pod serves two ids; an id is only ever bound to a pod of its own spec version or a
   * legacy one; the desired count never exceeds the ids still known.
   */
  @Test
  void randomTimelinesKeepEveryInvariant() {
    for (long seed = 0; seed < 200; seed++) {
      Random random = new Random(seed);
      PodBook b = new PodBook();
      Map<ReplicaId, Integer> ended = new HashMap<>();
      Map<ReplicaId, String> started = new HashMap<>();
      Map<String, PodView> pods = new HashMap<>();
      Instant now = T0;
      for (int step = 0; step < 60; step++) {
        now = now.plusSeconds(random.nextInt(90));
        ReplicaId id = new ReplicaId("f-" + random.nextInt(12));
        List<ReplicaId> ends = new ArrayList<>();
        switch (random.nextInt(6)) {
          case 0 -> {
            String version = random.nextBoolean() ? V1 : V2;
            if (started.putIfAbsent(id, version) == null) {
              b.start(id, version, now);
            }
          }
          case 1 -> {
            if (started.containsKey(id) && b.stop(id) instanceof PodBook.WasPending) {
              ends.add(id);
            }
          }
          case 2 -> b.expire(now, Duration.ofMinutes(5)).forEach(l -> ends.add(l.id()));
          case 3 -> {
            if (b.overdue(id) != null) {
              ends.add(id);
            }
          }
          default -> {
            mutate(pods, random);
            Changes c = b.observe(pods.values());
            c.lost().forEach(l -> ends.add(l.id()));
            ends.addAll(c.stopped());
          }
        }
        ends.forEach(e -> ended.merge(e, 1, Integer::sum));
        Set<String> boundPods = new HashSet<>();
        int known = 0;
        for (ReplicaId r : started.keySet()) {
          assertThat(b.knows(r))
              .as("seed %d: %s known iff not ended", seed, r)
              .isEqualTo(!ended.containsKey(r));
          known += b.knows(r) ? 1 : 0;
          String pod = b.podOf(r);
          if (pod != null) {
            assertThat(boundPods.add(pod)).as("seed %d: pod %s bound twice", seed, pod).isTrue();
            assertThat(pods.get(pod).specVersion())
                .as("seed %d: %s bound to a pod of another spec", seed, r)
                .isIn(started.get(r), null);
          }
        }
        assertThat(b.desired()).as("seed %d", seed).isBetween(0, known);
      }
      long seedUsed = seed;
      ended.forEach(
          (r, n) -> assertThat(n).as("seed %d: %s ended %d times", seedUsed, r, n).isEqualTo(1));
    }
  }

  private static void mutate(Map<String, PodView> pods, Random random) {
    String name = "p" + random.nextInt(8);
    switch (random.nextInt(4)) {
      case 0 -> {
        // a pod keeps the spec it was built from; a new one is of either spec
        String version = random.nextInt(5) == 0 ? null : random.nextBoolean() ? V1 : V2;
        PodView before = pods.get(name);
        pods.put(name, serving(name, before == null ? version : before.specVersion()));
      }
      case 1 -> pods.remove(name);
      case 2 -> pods.computeIfPresent(name, (n, p) -> notReady(n, p.specVersion()));
      default ->
          pods.computeIfPresent(
              name,
              (n, p) ->
                  new PodView(
                      n, p.ready(), p.ip(), 8080, true, false, p.marked(), p.specVersion()));
    }
  }
}
