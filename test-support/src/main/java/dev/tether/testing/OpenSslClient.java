package dev.tether.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/**
 * A real TLS client for tests: runs {@code openssl s_client} (OpenSSL 3) against a server on the
 * loopback, optionally from a chosen loopback address ({@code -bind}), and reads from its output
 * whether each connection did a full handshake ({@code New,}) or resumed ({@code Reused,}): the
 * client's own view of whether a security association was negotiated or reused.
 *
 * <pre>{@code
 * OpenSslClient openssl = new OpenSslClient(port, "TLSv1.3", caPem);   // GET / from 127.0.0.1
 * OpenSslClient shopper = new OpenSslClient(port, "TLSv1.3", caPem, "127.0.1.10", "/shop/");
 * Result first = openssl.request(null, session);      // New, ticket saved in session
 * Result second = openssl.request(session, null);     // Reused if the server still has it
 * try (OpenSslClient.Held held = openssl.open(null, session)) { ... }  // a connection kept open
 * }</pre>
 *
 * <p>TLS 1.2 resumes with {@link #reconnect()} ({@code -reconnect}: one connection and five
 * reconnections) or with {@code -sess_out}/{@code -sess_in}; TLS 1.3 with {@code -sess_out}/
 * {@code -sess_in} only, because its tickets arrive after the handshake.
 *
 * <p>One instance may serve several threads: each call runs its own {@code s_client} process. A
 * {@link Held} connection belongs to the thread that opened it.
 */
public final class OpenSslClient {
  /** The {@code openssl} executable the tests run. */
  public static final String OPENSSL = "/usr/bin/openssl";
  private static final Pattern HANDSHAKE = Pattern.compile(
      "^(New|Reused), (\\S+), Cipher is (\\S+)", Pattern.MULTILINE);
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  /** What one connection did. */
  public enum Handshake {
    NEW, REUSED
  }

  /**
   * The output of one {@code s_client} run.
   *
   * @param handshakes one entry per connection, in order
   * @param protocols the protocol of each connection, e.g. {@code TLSv1.3}
   * @param lines the {@code New,}/{@code Reused,} lines as printed
   * @param output everything printed, for failure messages
   */
  public record Result(List<Handshake> handshakes, List<String> protocols, List<String> lines,
      String output) {
    /** Returns what the first (or only) connection did. */
    public Handshake handshake() {
      if (handshakes.isEmpty()) {
        throw new AssertionError("openssl s_client printed no New/Reused line:\n" + output);
      }
      return handshakes.get(0);
    }
  }

  private final int port;
  private final String protocol;
  private final Path caFile;
  private final String peer;
  private final String path;

  /**
   * A client that connects from the system's choice of address and asks for {@code /}.
   *
   * @param protocol {@code TLSv1.2} or {@code TLSv1.3}: the only protocol the client offers
   * @param caFile the server's certificate (or its CA) in PEM; the client verifies against it
   */
  public OpenSslClient(int port, String protocol, Path caFile) {
    this(port, protocol, caFile, null, "/");
  }

  /**
   * @param protocol {@code TLSv1.2} or {@code TLSv1.3}: the only protocol the client offers
   * @param caFile the server's certificate (or its CA) in PEM; the client verifies against it
   * @param peer the loopback address the client connects from, or {@code null} for any
   * @param path the page each request asks for
   */
  public OpenSslClient(int port, String protocol, Path caFile, String peer, String path) {
    this.port = port;
    this.protocol = protocol;
    this.caFile = caFile;
    this.peer = peer;
    this.path = path;
  }

  /**
   * Makes one connection, sends {@code GET path} with {@code Connection: close} and waits until the
   * server closes: by then a TLS 1.3 ticket has arrived and is saved in {@code sessOut}.
   *
   * @param sessIn a session saved earlier to resume, or {@code null}
   * @param sessOut where to save the session, or {@code null}
   */
  public Result request(Path sessIn, Path sessOut) throws IOException, InterruptedException {
    if (sessOut != null) {
      Files.deleteIfExists(sessOut);
    }
    List<String> cmd = command(sessIn, sessOut);
    cmd.add("-ign_eof");
    Result result = run(cmd,
        "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    keepResumedSession(result, sessIn, sessOut);
    return result;
  }

  /**
   * Makes one connection and sends {@code requests}, raw HTTP/1.1 text one after the other on the
   * same connection (the last should say {@code Connection: close}), then waits until the server
   * closes. The output holds the server's responses.
   *
   * @param sessIn a session saved earlier to resume, or {@code null}
   * @param sessOut where to save the session, or {@code null}
   */
  public Result exchange(Path sessIn, Path sessOut, String... requests)
      throws IOException, InterruptedException {
    if (sessOut != null) {
      Files.deleteIfExists(sessOut);
    }
    List<String> cmd = command(sessIn, sessOut);
    cmd.add("-ign_eof");
    Result result = run(cmd, String.join("", requests));
    keepResumedSession(result, sessIn, sessOut);
    return result;
  }

  /**
   * Returns an HTTP/1.1 GET for {@code path} with optional header lines; {@code close} adds
   * {@code Connection: close}.
   */
  public static String get(String path, boolean close, String... headers) {
    StringBuilder r = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\nHost: localhost\r\n");
    for (String h : headers) {
      r.append(h).append("\r\n");
    }
    if (close) {
      r.append("Connection: close\r\n");
    }
    return r.append("\r\n").toString();
  }

  /**
   * s_client saves only new sessions; a resumed TLS 1.2 connection goes on with the session it
   * offered, so that one is the session to save.
   */
  private boolean keepResumedSession(Result result, Path sessIn, Path sessOut) throws IOException {
    if (sessIn != null && sessOut != null && "TLSv1.2".equals(protocol)
        && !result.handshakes().isEmpty() && result.handshake() == Handshake.REUSED) {
      Files.copy(sessIn, sessOut, StandardCopyOption.REPLACE_EXISTING);
      return true;
    }
    return false;
  }

  /** TLS 1.2 only: one connection and five reconnections offering the first one's session. */
  public Result reconnect() throws IOException, InterruptedException {
    if (!"TLSv1.2".equals(protocol)) {
      throw new IllegalStateException("-reconnect resumes only TLS 1.2 reliably; use sess_in/out");
    }
    List<String> cmd = command(null, null);
    cmd.add("-reconnect");
    return run(cmd, "");
  }

  /**
   * Opens a connection and keeps it open until {@link Held#close()}; returns once the handshake is
   * done and, if {@code sessOut} is given, the session is saved.
   */
  public Held open(Path sessIn, Path sessOut) throws IOException {
    if (sessOut != null) {
      Files.deleteIfExists(sessOut);
    }
    Process process = new ProcessBuilder(command(sessIn, sessOut)).redirectErrorStream(true).start();
    Held held = new Held(process);
    try {
      Awaitility.await("openssl handshake").atMost(TIMEOUT)
          .until(() -> !parse(held.output()).handshakes().isEmpty() || !process.isAlive());
      if (sessOut != null && process.isAlive()
          && !keepResumedSession(held.result(), sessIn, sessOut)) {
        Awaitility.await("openssl -sess_out").atMost(TIMEOUT)
            .until(() -> Files.exists(sessOut) && Files.size(sessOut) > 0 || !process.isAlive());
      }
    } catch (RuntimeException | Error e) {
      held.close();
      throw e;
    }
    return held;
  }

  private List<String> command(Path sessIn, Path sessOut) {
    List<String> cmd = new ArrayList<>(List.of(OPENSSL, "s_client",
        "-connect", "127.0.0.1:" + port));
    if (peer != null) {
      cmd.add("-bind");
      cmd.add(peer + ":0");
    }
    cmd.addAll(List.of("-servername", "localhost",
        "TLSv1.2".equals(protocol) ? "-tls1_2" : "-tls1_3",
        "-CAfile", caFile.toString(), "-verify_return_error"));
    if (sessIn != null) {
      cmd.add("-sess_in");
      cmd.add(sessIn.toString());
    }
    if (sessOut != null) {
      cmd.add("-sess_out");
      cmd.add(sessOut.toString());
    }
    return cmd;
  }

  private static Result run(List<String> cmd, String input) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try (OutputStream in = process.getOutputStream()) {
      in.write(input.getBytes(StandardCharsets.US_ASCII));
    }
    byte[] out;
    try (InputStream stdout = process.getInputStream()) {
      out = stdout.readAllBytes();
    }
    if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("openssl s_client did not finish: " + String.join(" ", cmd));
    }
    return parse(new String(out, StandardCharsets.UTF_8));
  }

  /** Reads the {@code New,}/{@code Reused,} lines of {@code s_client}'s output. */
  public static Result parse(String output) {
    List<Handshake> handshakes = new ArrayList<>();
    List<String> protocols = new ArrayList<>();
    List<String> lines = new ArrayList<>();
    Matcher m = HANDSHAKE.matcher(output);
    while (m.find()) {
      handshakes.add(m.group(1).equals("New") ? Handshake.NEW : Handshake.REUSED);
      protocols.add(m.group(2));
      lines.add(m.group());
    }
    return new Result(List.copyOf(handshakes), List.copyOf(protocols), List.copyOf(lines), output);
  }

  /** An {@code s_client} whose connection stays open until {@link #close()}. */
  public static final class Held implements AutoCloseable {
    private final Process process;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final Thread reader;

    private Held(Process process) {
      this.process = process;
      this.reader = new Thread(() -> {
        byte[] chunk = new byte[4096];
        try (InputStream in = process.getInputStream()) {
          for (int n; (n = in.read(chunk)) >= 0; ) {
            synchronized (buffer) {
              buffer.write(chunk, 0, n);
            }
          }
        } catch (IOException ignored) {
          // the process ended
        }
      }, "openssl-reader");
      reader.setDaemon(true);
      reader.start();
    }

    /** Returns everything {@code s_client} has printed so far. */
    public String output() {
      synchronized (buffer) {
        return buffer.toString(StandardCharsets.UTF_8);
      }
    }

    /** Returns what the handshake of this connection did. */
    public Result result() {
      return parse(output());
    }

    /** Returns whether the {@code s_client} process still runs. */
    public boolean isAlive() {
      return process.isAlive();
    }

    /** Sends raw bytes (an HTTP request) on the connection. */
    public void send(String text) throws IOException {
      process.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
      process.getOutputStream().flush();
    }

    /**
     * Asks the server to renegotiate the connection ({@code s_client}'s {@code R} command; TLS 1.2
     * only) and waits up to 20 s for {@code s_client} to end, which it does when the server refuses:
     * with a fatal alert ({@code alert handshake failure} in the output, exit code 1), a
     * {@code close_notify} ({@code closed}) or a bare close ({@code unexpected eof}).
     *
     * @return whether {@code s_client} ended; its output and {@link #exitValue()} say how
     */
    public boolean renegotiate() throws IOException, InterruptedException {
      OutputStream in = process.getOutputStream();
      in.write("R\n".getBytes(StandardCharsets.US_ASCII));
      in.flush();
      boolean ended = process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      if (ended) {
        reader.join(TIMEOUT.toMillis());
      }
      return ended;
    }

    /** Returns the exit code of the ended {@code s_client}. */
    public int exitValue() {
      return process.exitValue();
    }

    /** Ends the connection: s_client sees the end of its input, sends close_notify and exits. */
    @Override
    public void close() {
      try {
        process.getOutputStream().close();
        if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
        reader.join(TIMEOUT.toMillis());
      } catch (IOException e) {
        process.destroyForcibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }
}
