package dev.tether.boot;

import dev.tether.AssociationRegistry;
import org.springframework.context.SmartLifecycle;

/**
 * Closes the registry when the application stops, after the web server (whose connectors release
 * their leases as they close) and before Spring Boot takes its logging down, so that the registry's
 * last lines ({@code Tether registry 'default' closed; N SA(s) deleted}) reach the log. The bean's
 * destroy method closes it too, which is then a no-op.
 */
final class RegistryLifecycle implements SmartLifecycle {
  /**
   * Stops after the web server ({@code WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE},
   * near {@code Integer.MAX_VALUE}) and before the logging system ({@code Integer.MIN_VALUE + 1}).
   */
  static final int PHASE = 0;

  private final AssociationRegistry registry;
  private volatile boolean running;

  RegistryLifecycle(AssociationRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void start() {
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    registry.close();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
