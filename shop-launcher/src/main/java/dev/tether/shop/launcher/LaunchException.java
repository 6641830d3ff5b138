package dev.tether.shop.launcher;

/**
 * Why the shop did not start: a usage error (a bad option; exit code {@value #USAGE}) or a start
 * failure (the options were fine but the server could not start; exit code {@value #START_FAILURE}).
 * The message is one line and names the option concerned, e.g.
 * {@code --port 8443: 127.0.0.1:8443 is already in use}.
 *
 * <p>Immutable.
 *
 * <pre>{@code
 * try {
 *   RunningShop shop = ShopLauncher.start(options);
 * } catch (LaunchException e) {
 *   System.err.println(e.getMessage());
 *   System.exit(e.exitCode());
 * }
 * }</pre>
 */
public final class LaunchException extends Exception {
  private static final long serialVersionUID = 1L;

  /** The exit code of a usage error. */
  public static final int USAGE = 2;
  /** The exit code of a start failure. */
  public static final int START_FAILURE = 1;

  private final int exitCode;

  private LaunchException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** A bad option: the message names the option and the value. */
  public static LaunchException usage(String message) {
    return new LaunchException(USAGE, message, null);
  }

  /** A failure to start with valid options; the message names the option concerned, if any. */
  public static LaunchException startFailure(String message, Throwable cause) {
    return new LaunchException(START_FAILURE, message, cause);
  }

  /** Returns the process exit code: {@link #USAGE} or {@link #START_FAILURE}. */
  public int exitCode() {
    return exitCode;
  }

  /** Returns whether this is a usage error (a bad option). */
  public boolean isUsageError() {
    return exitCode == USAGE;
  }
}
