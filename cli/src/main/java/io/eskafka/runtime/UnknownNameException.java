package io.eskafka.runtime;

import java.util.Collection;
import java.util.List;

/**
 * A name (of an aggregate, a command type, an app) that is not known, with the known ones so the
 * message tells the user what to type instead.
 */
public final class UnknownNameException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final List<String> known;

  /**
   * @param kind what was looked for, e.g. {@code aggregate}
   * @param name the unknown name
   * @param known the names that exist
   */
  public UnknownNameException(String kind, String name, Collection<String> known) {
    super("unknown " + kind + " '" + name + "'; known: "
        + (known.isEmpty() ? "none" : String.join(", ", known)));
    this.known = List.copyOf(known);
  }

  /**
   * The names that exist.
   *
   * @return an unmodifiable list
   */
  public List<String> known() {
    return known;
  }
}
