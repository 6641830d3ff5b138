package dev.tether.cluster.redis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A node in its own JVM ({@link NodeMain}) on the test's class path, signalled by pid: SIGSTOP and
 * SIGCONT to freeze it, SIGKILL to crash it. Its log goes to a file, shown when a test fails.
 */
final class NodeProcess implements AutoCloseable {
  final String name;
  final Process process;
  final int port;
  final Path log;

  private NodeProcess(String name, Process process, int port, Path log) {
    this.name = name;
    this.process = process;
    this.port = port;
    this.log = log;
  }

  static NodeProcess start(String container, String name, String uri, long ackMillis)
      throws IOException {
    Path log = Files.createTempFile("tether-node-" + name, ".log");
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djdk.tls.server.enableSessionTicketExtension=false", "-Xmx256m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), NodeMain.class.getName(),
        container, name, uri, Long.toString(ackMillis)));
    Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
    BufferedReader out = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("PORT ")) {
        return new NodeProcess(name, p, Integer.parseInt(line.substring(5)), log);
      }
    }
    throw new IOException("node " + name + " did not start:\n" + Files.readString(log));
  }

  void signal(String signal) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
        .inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IOException("kill -" + signal + " " + process.pid() + " failed");
    }
  }

  String log() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      signal("CONT");
      process.getOutputStream().close();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        signal("KILL");
        process.waitFor();
      }
    }
    Files.deleteIfExists(log);
  }

  @Override
  public String toString() {
    return name;
  }
}
