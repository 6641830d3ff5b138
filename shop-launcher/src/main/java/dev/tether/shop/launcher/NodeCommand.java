package dev.tether.shop.launcher;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a shop node in a JVM of its own, as the demo cluster does: this JVM's {@code java} and
 * class path (the launcher's jar, or the build's classes in a test), {@link ShopLauncher}'s
 * {@code main} with the node's options. The node ends when its parent does
 * ({@value ShopLauncher#PARENT_PROPERTY}), so a demo killed with SIGKILL leaves no node behind. It
 * is ready when it prints its startup line.
 *
 * <p>Stateless.
 */
final class NodeCommand {
  private NodeCommand() {
  }

  /** Returns the command line of a node with {@code options} (launcher options). */
  static List<String> command(List<String> options) {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC",
        "-D" + ShopLauncher.PARENT_PROPERTY + "=" + ProcessHandle.current().pid(),
        "-cp", System.getProperty("java.class.path"), ShopLauncher.class.getName()));
    command.addAll(options);
    return command;
  }

  /** Starts the node {@code name} with {@code options}, its output in {@code log}. */
  static ChildProcess start(String name, List<String> options, Path log) throws IOException {
    return ChildProcess.start(name, command(options), log,
        line -> line.startsWith("Tether shop node " + name + " on "));
  }
}
