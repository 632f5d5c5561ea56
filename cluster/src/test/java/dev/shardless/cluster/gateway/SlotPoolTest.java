package dev.shardless.cluster.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardless.scheduler.entity.FunctionEntity.Command;
import dev.shardless.scheduler.entity.FunctionEntity.Leased;
import dev.shardless.scheduler.model.ReplicaId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The pure bookkeeping of held slots: reuse, recall, expiry and reports. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlotPoolTest {
  private static final long HOLD = Duration.ofMillis(250).toNanos();

  private final ActorTestKit kit = ActorTestKit.create();
  private final ActorRef<Command> entity = kit.<Command>createTestProbe().ref();
  private final ActorRef<Command> other = kit.<Command>createTestProbe().ref();

  @AfterAll
  void stop() {
    kit.shutdownTestKit();
  }

  private static Leased lease(ActorRef<Command> entity, String replica) {
    return new Leased(
        new ReplicaId(replica), "127.0.0.1", 8080, Duration.ofSeconds(30), entity, true);
  }

  @Test
  void aSlotIsReusedOnlyOnceItsCallHasEnded() {
    SlotPool pool = new SlotPool();
    assertThat(pool.take()).isNull();
    SlotPool.Held a = pool.adopt(lease(entity, "a"));
    assertThat(pool.take()).as("busy with its first call").isNull();
    assertThat(pool.done(a, true, 0)).isTrue();
    assertThat(pool.take()).isSameAs(a);
    assertThat(pool.take()).isNull();
    assertThat(pool.size()).isEqualTo(1);
  }

  @Test
  void theMostRecentlyUsedIdleSlotIsTakenFirstAndTheOldestExpiresFirst() {
    SlotPool pool = new SlotPool();
    SlotPool.Held a = pool.adopt(lease(entity, "a"));
    SlotPool.Held b = pool.adopt(lease(entity, "b"));
    pool.done(a, true, 0);
    pool.done(b, true, 100);
    assertThat(pool.take()).isSameAs(b);
    pool.done(b, true, 200);

    assertThat(pool.expire(HOLD - 1, HOLD)).isEmpty();
    assertThat(pool.expire(HOLD, HOLD)).containsExactly(a);
    assertThat(pool.expire(200 + HOLD, HOLD)).containsExactly(b);
    assertThat(pool.size()).isZero();
    assertThat(pool.take()).isNull();
  }

  @Test
  void aCallThatMustNotKeepItsSlotGivesItBack() {
    SlotPool pool = new SlotPool();
    SlotPool.Held a = pool.adopt(lease(entity, "a"));
    assertThat(pool.done(a, false, 0)).isFalse();
    assertThat(pool.size()).isZero();
    assertThat(pool.take()).isNull();
  }

  @Test
  void aRecallReturnsIdleSlotsAtOnceAndBusyOnesWhenTheirCallEnds() {
    SlotPool pool = new SlotPool();
    SlotPool.Held idle = pool.adopt(lease(entity, "a"));
    pool.done(idle, true, 0);
    SlotPool.Held busy = pool.adopt(lease(entity, "a"));
    SlotPool.Held elsewhere = pool.adopt(lease(entity, "b"));
    SlotPool.Held otherEntity = pool.adopt(lease(other, "a"));

    assertThat(pool.recall(SlotPool.of(entity, new ReplicaId("a")))).containsExactly(idle);
    assertThat(pool.recall(SlotPool.of(entity, new ReplicaId("a"))))
        .as("already recalled")
        .isEmpty();
    assertThat(pool.done(busy, true, 0)).as("recalled: back when its call ends").isFalse();
    assertThat(pool.done(elsewhere, true, 0)).isTrue();
    assertThat(pool.done(otherEntity, true, 0)).isTrue();
    assertThat(pool.size()).isEqualTo(2);

    assertThat(pool.recall(SlotPool.of(entity, null))).containsExactly(elsewhere);
    assertThat(pool.take()).isSameAs(otherEntity);
  }

  @Test
  void reportsCountCallsPerEntityIncludingSlotsAlreadyGivenBackThenStartAgain() {
    SlotPool pool = new SlotPool();
    SlotPool.Held a = pool.adopt(lease(entity, "a"));
    pool.done(a, true, 0);
    pool.take();
    pool.done(a, true, 1);
    SlotPool.Held b = pool.adopt(lease(entity, "b"));
    pool.done(b, false, 2); // given back after one call
    SlotPool.Held c = pool.adopt(lease(other, "c"));

    Map<ActorRef<Command>, SlotPool.Report> byEntity = new HashMap<>();
    for (SlotPool.Report r : pool.reports()) {
      byEntity.put(r.entity(), r);
    }
    assertThat(byEntity.get(entity).calls()).isEqualTo(3);
    assertThat(byEntity.get(entity).replicas()).containsExactly(new ReplicaId("a"));
    assertThat(byEntity.get(entity).idle()).as("a is idle").isEqualTo(1);
    assertThat(byEntity.get(other).idle()).as("c is busy").isZero();
    assertThat(byEntity.get(other).calls()).isZero();
    assertThat(byEntity.get(other).replicas()).containsExactly(new ReplicaId("c"));

    pool.done(c, true, 3);
    List<SlotPool.Report> next = pool.reports();
    assertThat(next)
        .extracting(SlotPool.Report::calls)
        .containsExactlyInAnyOrder(0L, 1L); // entity: none since; other: c's call
    pool.recall(l -> true);
    assertThat(pool.reports()).isEmpty();
  }

  @Test
  void aPoolRetiresOnlyWhenItHoldsNothingAndHasNothingToReport() {
    SlotPool pool = new SlotPool();
    SlotPool.Held a = pool.adopt(lease(entity, "a"));
    assertThat(a.pool()).isSameAs(pool);
    assertThat(pool.retireIfEmpty()).as("holds a slot").isFalse();
    pool.done(a, false, 0);
    assertThat(pool.retireIfEmpty()).as("a call to report").isFalse();
    pool.reports();
    assertThat(pool.retireIfEmpty()).isTrue();
    assertThat(pool.adopt(lease(entity, "a"))).as("retired: takes no slot").isNull();
    assertThat(pool.take()).isNull();
  }

  /**
   * Random interleavings: a slot is never handed to two calls at once, every slot adopted goes back
   * exactly once (recall, expiry or a call that may not keep it), and every call is reported once.
   */
  @Test
  void randomInterleavingsKeepEverySlotAccountedFor() {
    Random random = new Random(11);
    for (int round = 0; round < 300; round++) {
      SlotPool pool = new SlotPool();
      List<SlotPool.Held> busy = new ArrayList<>();
      List<SlotPool.Held> back = new ArrayList<>();
      int adopted = 0;
      long calls = 0;
      long reported = 0;
      long now = 0;
      for (int step = 0; step < 200; step++) {
        now += random.nextInt((int) (HOLD / 2));
        switch (random.nextInt(6)) {
          case 0 -> {
            SlotPool.Held h = pool.take();
            if (h == null) {
              h = pool.adopt(lease(random.nextBoolean() ? entity : other, "r" + random.nextInt(3)));
              adopted++;
            }
            assertThat(busy).doesNotContain(h);
            busy.add(h);
          }
          case 1, 2 -> {
            if (!busy.isEmpty()) {
              SlotPool.Held h = busy.remove(random.nextInt(busy.size()));
              calls++;
              if (!pool.done(h, random.nextInt(10) > 0, now)) {
                back.add(h);
              }
            }
          }
          case 3 -> back.addAll(pool.expire(now, HOLD));
          case 4 ->
              back.addAll(
                  pool.recall(
                      SlotPool.of(
                          random.nextBoolean() ? entity : other,
                          random.nextBoolean() ? null : new ReplicaId("r" + random.nextInt(3)))));
          default -> {
            for (SlotPool.Report r : pool.reports()) {
              reported += r.calls();
            }
          }
        }
        assertThat(pool.size() + back.size()).isEqualTo(adopted);
        assertThat(back).doesNotHaveDuplicates();
      }
      for (SlotPool.Held h : busy) {
        calls++;
        if (!pool.done(h, true, now)) {
          back.add(h);
        }
      }
      back.addAll(pool.recall(l -> true));
      for (SlotPool.Report r : pool.reports()) {
        reported += r.calls();
      }
      assertThat(back).hasSize(adopted).doesNotHaveDuplicates();
      assertThat(reported).isEqualTo(calls);
      assertThat(pool.size()).isZero();
    }
  }
}
