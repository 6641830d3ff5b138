package dev.tether.boot;

import dev.tether.servlet.TetherLoginFilter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Core's {@link TetherLoginFilter} (logins the container sees, {@code dev.tether.servlet.Tether}'s
 * application API, the connection's close after a login that deleted its SA), registered before
 * Spring Security's filters, and keeping the request at hand for the security events that Spring
 * Security publishes without it ({@link #current()}).
 *
 * <p>Thread-safe; the request at hand is per thread and restored after a nested dispatch.
 */
final class TetherRequestFilter extends TetherLoginFilter {
  private static final long serialVersionUID = 1L;

  /** A request and its response, as this filter passed them on. */
  record Exchange(HttpServletRequest request, HttpServletResponse response) {
  }

  private final transient ThreadLocal<Exchange> current = new ThreadLocal<>();

  @Override
  protected void doFilter(HttpServletRequest request, HttpServletResponse response,
      FilterChain chain) throws IOException, ServletException {
    Exchange previous = current.get();
    current.set(new Exchange(request, response));
    try {
      super.doFilter(request, response, chain);
    } finally {
      if (previous == null) {
        current.remove();
      } else {
        current.set(previous);
      }
    }
  }

  /** Returns the request being filtered on this thread, or {@code null}. */
  Exchange current() {
    return current.get();
  }
}
