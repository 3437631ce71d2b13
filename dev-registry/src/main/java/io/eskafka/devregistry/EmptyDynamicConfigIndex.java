package io.eskafka.devregistry;

import io.apicurio.common.apps.config.DynamicConfigPropertyList;
import java.util.List;
import javax.enterprise.inject.Produces;
import javax.inject.Singleton;

/**
 * Stands in for the one bean that {@code apicurio-common-app-components-config-index} would
 * generate at build time: the list of configuration properties that may be edited at runtime.
 *
 * <p>That Quarkus extension is excluded from the build because its {@code -deployment} artifact is
 * not on Maven Central, yet Apicurio's runtime injects the list. The dev registry needs no
 * runtime-editable properties (it is configured by system properties at start), so an empty list
 * is the honest answer.
 *
 * <p>Threading: a CDI singleton with no state; safe from any thread.
 */
@Singleton
public class EmptyDynamicConfigIndex {

  /** Created by CDI. */
  public EmptyDynamicConfigIndex() {
  }

  /**
   * Produces the (empty) list of runtime-editable configuration properties.
   *
   * @return an empty list, never null
   */
  @Produces
  @Singleton
  DynamicConfigPropertyList dynamicConfigPropertyList() {
    return new DynamicConfigPropertyList(List.of());
  }
}
