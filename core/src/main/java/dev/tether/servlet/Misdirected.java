package dev.tether.servlet;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The one answer Tether gives a request it will not serve on its connection: {@code 421 Misdirected
 * Request} (RFC 9110, 15.5.20), which tells the client to retry on a new connection. The new
 * connection negotiates a new SA, under the user's policy. Browsers retry it on their own. Over
 * HTTP/1.1 the connection is closed after the answer.
 *
 * <p>Used when the connection's SA was negotiated under a policy that the user's requests may not
 * travel under ({@code require-own-association}), and when a flush deleted the connection's SA.
 */
public final class Misdirected {
  /** The status code. */
  public static final int STATUS = 421;

  private Misdirected() {}

  /**
   * Writes the answer, replacing whatever the response buffered; the response must not be committed.
   *
   * @param request the request answered; over HTTP/2 no {@code Connection} header is sent (it is
   *     not allowed there), and the adapter ends the connection with GOAWAY
   * @param why what the client is told, e.g. "this connection's SA was negotiated under policy 'x'"
   */
  public static void write(HttpServletRequest request, HttpServletResponse response, String why)
      throws IOException {
    byte[] body = ("421 Misdirected Request: " + why + ". Retry on a new connection.\n")
        .getBytes(StandardCharsets.UTF_8);
    response.resetBuffer();
    response.setStatus(STATUS);
    if (!"HTTP/2.0".equals(request.getProtocol())) {
      response.setHeader("Connection", "close");
    }
    response.setHeader("Cache-Control", "no-store");
    response.setContentType("text/plain;charset=UTF-8");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }

  /** Returns what the policy refusal says: which policy the SA has and which the user needs. */
  public static String policyMismatch(String negotiated, String needed) {
    return "this connection's TLS security association was negotiated under policy '" + negotiated
        + "', but your requests need policy '" + needed + "'";
  }
}
