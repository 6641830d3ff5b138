package dev.tether.benchmarks.connections;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The benchmark's application: answers every request with {@code ok}, the least a servlet can do. */
final class OkServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final byte[] OK = "ok\n".getBytes(StandardCharsets.US_ASCII);

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    resp.setContentType("text/plain");
    resp.setContentLength(OK.length);
    resp.getOutputStream().write(OK);
  }
}
