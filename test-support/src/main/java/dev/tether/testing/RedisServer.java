package dev.tether.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;

/**
 * A real {@code redis-server} (Debian's package) for tests: started on a free loopback port without
 * persistence ({@code --save '' --appendonly no}), stopped by its pid. Faults are real signals:
 * {@link #kill()} (SIGKILL, the data is gone), {@link #pause()} / {@link #resume()} (SIGSTOP /
 * SIGCONT), and {@link #restart()} on the same port.
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.start()) {
 *   String uri = redis.uri();           // redis://127.0.0.1:PORT
 *   redis.kill(); redis.restart();
 * }
 * }</pre>
 *
 * <p>Not thread-safe; one test owns an instance.
 */
public final class RedisServer implements AutoCloseable {
  /** The executable the tests run. */
  public static final String REDIS_SERVER = "/usr/bin/redis-server";

  private final int port;
  private final Path dir;
  private Process process;

  private RedisServer(int port, Path dir) {
    this.port = port;
    this.dir = dir;
  }

  /** Starts a server on a free port and waits until it answers PING. */
  public static RedisServer start() throws IOException {
    return start(freePort());
  }

  /** Returns a loopback port free at this instant, e.g. for a server started later. */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Starts a server on {@code port} and waits until it answers PING. */
  public static RedisServer start(int port) throws IOException {
    RedisServer server = new RedisServer(port, Files.createTempDirectory("tether-redis"));
    server.launch();
    return server;
  }

  private void launch() throws IOException {
    process = new ProcessBuilder(List.of(REDIS_SERVER, "--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(),
        "--logfile", dir.resolve("redis.log").toString()))
        .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
    Awaitility.await("redis-server answering on port " + port).atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(20)).ignoreExceptions()
        .until(() -> "+PONG".equals(command("PING")));
  }

  /** Returns {@code redis://127.0.0.1:PORT}. */
  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  /** Sends SIGKILL and waits for the process to end: whatever the server held is lost. */
  public void kill() throws IOException, InterruptedException {
    signal("KILL");
    process.waitFor();
  }

  /** Sends SIGSTOP: the server keeps its sockets but answers nothing. */
  public void pause() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** Sends SIGCONT. */
  public void resume() throws IOException, InterruptedException {
    signal("CONT");
  }

  /** Starts a new, empty server on the same port after {@link #kill()}. */
  public void restart() throws IOException {
    launch();
  }

  /**
   * Sends one command in Redis's inline form and returns the reply's first line, e.g.
   * {@code command("XTRIM tether:events MAXLEN 0")} gives {@code :12}, or the content of a bulk
   * string reply ({@code CLIENT LIST}).
   */
  public String command(String inline) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) != -1 && c != '\n') {
        if (c != '\r') {
          line.append((char) c);
        }
      }
      if (line.length() > 1 && line.charAt(0) == '$' && !line.toString().equals("$-1")) {
        byte[] bulk = in.readNBytes(Integer.parseInt(line.substring(1)));
        return new String(bulk, StandardCharsets.UTF_8);
      }
      return line.toString();
    }
  }

  /**
   * Closes every connection of the Redis client named {@code name} (Lettuce's client name), as a
   * server restart or a network fault would; returns how many.
   */
  public int killClients(String name) throws IOException {
    int n = 0;
    for (String line : command("CLIENT LIST").split("\n")) {
      if (line.contains(" name=" + name + " ")) {
        String id = line.substring(line.indexOf("id=") + 3, line.indexOf(' ', line.indexOf("id=")));
        if (command("CLIENT KILL ID " + id).equals(":1")) {
          n++;
        }
      }
    }
    return n;
  }

  private void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
        .inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IOException("kill -" + name + " " + process.pid() + " failed");
    }
  }

  /** Stops the server (SIGCONT first, in case it is paused) and removes its directory. */
  @Override
  public void close() throws IOException, InterruptedException {
    if (process != null && process.isAlive()) {
      signal("CONT");
      signal("KILL");
      process.waitFor();
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
