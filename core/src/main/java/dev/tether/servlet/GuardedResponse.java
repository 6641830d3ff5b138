package dev.tether.servlet;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;

/**
 * The application's response, wrapped so that a login or logout that happened in the request is
 * acted on before the application can send a byte: a container may send a response as soon as its
 * content length is written, or on a redirect or error, before Tether regains control.
 * {@code beforeOutput} runs on every way out: the output stream or writer, a flush, both
 * {@code sendError}s and all four {@code sendRedirect}s (three of them new in Servlet 6.1; on a 6.0
 * container they are never called).
 *
 * <p>Threading: the request's; one instance per request.
 */
final class GuardedResponse extends HttpServletResponseWrapper {
  private final Runnable beforeOutput;

  GuardedResponse(HttpServletResponse response, Runnable beforeOutput) {
    super(response);
    this.beforeOutput = beforeOutput;
  }

  @Override
  public ServletOutputStream getOutputStream() throws IOException {
    beforeOutput.run();
    return super.getOutputStream();
  }

  @Override
  public PrintWriter getWriter() throws IOException {
    beforeOutput.run();
    return super.getWriter();
  }

  @Override
  public void flushBuffer() throws IOException {
    beforeOutput.run();
    super.flushBuffer();
  }

  @Override
  public void sendError(int sc, String msg) throws IOException {
    beforeOutput.run();
    super.sendError(sc, msg);
  }

  @Override
  public void sendError(int sc) throws IOException {
    beforeOutput.run();
    super.sendError(sc);
  }

  @Override
  public void sendRedirect(String location) throws IOException {
    beforeOutput.run();
    super.sendRedirect(location);
  }

  @Override
  public void sendRedirect(String location, int sc) throws IOException {
    beforeOutput.run();
    super.sendRedirect(location, sc);
  }

  @Override
  public void sendRedirect(String location, boolean clearBuffer) throws IOException {
    beforeOutput.run();
    super.sendRedirect(location, clearBuffer);
  }

  @Override
  public void sendRedirect(String location, int sc, boolean clearBuffer) throws IOException {
    beforeOutput.run();
    super.sendRedirect(location, sc, clearBuffer);
  }
}
