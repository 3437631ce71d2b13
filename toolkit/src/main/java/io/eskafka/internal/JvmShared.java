package io.eskafka.internal;

import java.util.function.Supplier;

/**
 * One instance of something per JVM (a test broker, a test registry), started on first use. A
 * failed start is remembered and rethrown, so a hundred tests do not each wait for a start that
 * cannot succeed. Thread-safe.
 *
 * @param <T> what is shared
 */
public final class JvmShared<T> {

  private final String what;
  private final Supplier<T> starter;
  private T instance;
  private RuntimeException failure;

  /**
   * @param what names it in the error of a failed start, e.g. {@code "shared embedded Kafka"}
   * @param starter starts it; called at most once
   */
  public JvmShared(String what, Supplier<T> starter) {
    this.what = what;
    this.starter = starter;
  }

  /**
   * The instance, started on the first call.
   *
   * @return never {@code null}
   * @throws IllegalStateException when the first start failed (with that failure as cause)
   */
  public synchronized T get() {
    if (failure != null) {
      throw new IllegalStateException(what + " failed to start earlier", failure);
    }
    if (instance == null) {
      try {
        instance = starter.get();
      } catch (RuntimeException e) {
        failure = e;
        throw e;
      }
    }
    return instance;
  }
}
