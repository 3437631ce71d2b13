package io.eskafka.internal.processor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class CommandIdFilterTest {

  @Test
  void neverForgetsAnIdItWasGiven() {
    CommandIdFilter filter = CommandIdFilter.forEntries(10_000);
    String[] ids = new String[50_000]; // five times its size: saturated, still no false negative
    for (int i = 0; i < ids.length; i++) {
      ids[i] = UUID.randomUUID().toString();
      filter.add(ids[i]);
    }
    for (String id : ids) {
      assertThat(filter.mightContain(id)).as(id).isTrue();
    }
    assertThat(filter.size()).isEqualTo(50_000);
    assertThat(filter.wantsToGrow()).isTrue();
  }

  @Test
  void answersNoForAlmostEveryUnseenIdWithinCapacity() {
    CommandIdFilter filter = CommandIdFilter.forEntries(100_000);
    for (int i = 0; i < 100_000; i++) {
      filter.add("cmd-" + i);
    }
    int maybe = 0;
    for (int i = 0; i < 100_000; i++) {
      if (filter.mightContain("other-" + i)) {
        maybe++;
      }
    }
    // Sized for under 1 % (blocked); allow generous slack, this guards against a broken hash, not tuning.
    assertThat(maybe).isLessThan(2_000);
    assertThat(filter.wantsToGrow()).isFalse();
  }
}
