package dev.tether.tomcat;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;

/**
 * The application's response, wrapped so that what the authenticator and the application decided is
 * acted on before the application can send a byte: Tomcat sends a response as soon as its content
 * length is written, before the valve regains control. {@code beforeOutput} runs on every way out:
 * the output stream or writer, a flush, an error, a redirect.
 *
 * <p>Threading: the request's; one instance per request.
 */
final class TrackingResponse extends HttpServletResponseWrapper {
  private final Runnable beforeOutput;

  TrackingResponse(HttpServletResponse response, Runnable beforeOutput) {
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
