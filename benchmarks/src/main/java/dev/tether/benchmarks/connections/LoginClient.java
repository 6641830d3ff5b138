package dev.tether.benchmarks.connections;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A customer logging in to the shop through the balancer, from a loopback address of its own: one
 * connection asks for a protected page (the container starts its FORM login and the session), a
 * second one posts the credentials with the session's cookie. Each request is a connection of its
 * own, so that the balancer may send them to two nodes (the session is shared). Returns the time
 * the login's post took, from the connection to the end of its response: what a login costs the
 * customer, the wait for every node included.
 *
 * <p>Not thread-safe: one client per thread.
 */
final class LoginClient {
  private final SSLContext context;
  private final int port;

  LoginClient(SSLContext context, int port) {
    this.context = context;
    this.port = port;
  }

  /**
   * Logs {@code user} in from {@code from}; returns the login post's duration in nanoseconds.
   *
   * @throws IOException if the login was not answered with a redirect
   */
  long login(String from, String user, String password) throws IOException {
    String first = exchange(from, "GET /account HTTP/1.1\r\nHost: localhost\r\n"
        + "Connection: close\r\n\r\n");
    String cookie = cookie(first);
    String body = "j_username=" + URLEncoder.encode(user, StandardCharsets.UTF_8)
        + "&j_password=" + URLEncoder.encode(password, StandardCharsets.UTF_8);
    long start = System.nanoTime();
    String second = exchange(from, "POST /j_security_check HTTP/1.1\r\nHost: localhost\r\n"
        + "Connection: close\r\nCookie: " + cookie + "\r\n"
        + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length()
        + "\r\n\r\n" + body);
    long took = System.nanoTime() - start;
    if (!second.startsWith("HTTP/1.1 302") && !second.startsWith("HTTP/1.1 303")) {
      throw new IOException("the login was answered " + second.lines().findFirst().orElse(""));
    }
    return took;
  }

  private String exchange(String from, String request) throws IOException {
    Socket plain = new Socket();
    plain.bind(new InetSocketAddress(from, 0));
    plain.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    plain.setSoTimeout(30_000);
    try (SSLSocket tls = (SSLSocket) context.getSocketFactory()
        .createSocket(plain, "localhost", port, true)) {
      OutputStream out = tls.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return new String(tls.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  private static String cookie(String response) throws IOException {
    for (String line : response.split("\r\n")) {
      if (line.regionMatches(true, 0, "Set-Cookie: JSESSIONID=", 0, 23)) {
        return line.substring(12).split(";", 2)[0];
      }
    }
    throw new IOException("no session cookie in " + response.lines().findFirst().orElse(""));
  }
}
