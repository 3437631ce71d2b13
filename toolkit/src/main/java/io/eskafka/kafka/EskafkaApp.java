package io.eskafka.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;

/**
 * The extension point of a deployable application: returns its {@link Deployment}. The {@code
 * eskafka} command line runs it by name ({@code eskafka run bank}) or by class name.
 *
 * <p>Register an implementation (public, with a public no-argument constructor) in {@code
 * META-INF/services/io.eskafka.kafka.EskafkaApp} of the application's jar and put that jar on the
 * class path next to the CLI; see the bank example's {@code BankApp}.
 *
 * <p>{@link #deployment()} may be called more than once and from any thread; it should build the
 * definitions without side effects.
 */
@FunctionalInterface
public interface EskafkaApp {

  /**
   * What to deploy.
   *
   * @return never {@code null}
   */
  Deployment deployment();

  /**
   * The deployments registered through {@link ServiceLoader} in the given class loader.
   *
   * @param loader where to look, not {@code null}
   * @return the deployments, in class-path order
   * @throws java.util.ServiceConfigurationError when a registered class cannot be instantiated
   */
  static List<Deployment> installed(ClassLoader loader) {
    List<Deployment> found = new ArrayList<>();
    for (EskafkaApp app : ServiceLoader.load(EskafkaApp.class, Objects.requireNonNull(loader))) {
      found.add(app.deployment());
    }
    return found;
  }

  /**
   * Finds a deployment by name among the {@link #installed} ones or, failing that, by the fully
   * qualified name of an {@code EskafkaApp} class (public, no-argument constructor).
   *
   * @param nameOrClass a deployment name ({@code bank}) or a class name
   * @param loader where to look, not {@code null}
   * @return the deployment
   * @throws IllegalArgumentException naming the installed deployments when there is no such name
   *     nor class, or saying why the class cannot be used
   */
  static Deployment find(String nameOrClass, ClassLoader loader) {
    Objects.requireNonNull(nameOrClass, "nameOrClass");
    List<Deployment> installed = installed(loader);
    for (Deployment deployment : installed) {
      if (deployment.name().equals(nameOrClass)) {
        return deployment;
      }
    }
    Class<?> type;
    try {
      type = Class.forName(nameOrClass, true, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalArgumentException("unknown app '" + nameOrClass + "'; installed: "
          + (installed.isEmpty() ? "none" : installed.stream().map(Deployment::name).toList())
          + " (or give the class name of an io.eskafka.kafka.EskafkaApp on the class path)");
    }
    if (!EskafkaApp.class.isAssignableFrom(type)) {
      throw new IllegalArgumentException("class " + nameOrClass + " does not implement "
          + EskafkaApp.class.getName());
    }
    try {
      // The one reflective step of a plug-in: the same ServiceLoader does for registered apps.
      return ((EskafkaApp) type.getConstructor().newInstance()).deployment();
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException("cannot instantiate " + nameOrClass
          + " (it needs a public no-argument constructor): " + e, e);
    }
  }
}
