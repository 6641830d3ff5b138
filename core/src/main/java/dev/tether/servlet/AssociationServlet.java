package dev.tether.servlet;

import dev.tether.AssociationRegistry;
import dev.tether.DeletionCause;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * A JSON view of the SA table with manual flushes, for dashboards, scripts and monitors. Map it to a
 * path prefix such as {@code /tether/*}; it answers
 *
 * <ul>
 *   <li>{@code GET  .../associations}: an array of SA views, oldest first:
 *       {@code [{"id":"0000000a","peer":"127.0.0.1","protocol":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256",
 *       "policy":"default","principals":["alice"],"state":"ACTIVE","references":1,"reuses":3,
 *       "created":"2026-01-01T10:00:00Z","lastUsed":"...","idleSince":null,"ageMillis":5000,"idleMillis":0}]}
 *   <li>{@code GET  .../stats}: the registry's name and bounds and every counter of
 *       {@link dev.tether.AssociationStats}, with {@code deletedByCause} and {@code refusedByReason}
 *       as objects keyed by enum name; in a cluster, {@code cluster}: this node's name,
 *       {@code degraded}, {@code liveNodes}, the event counters and {@code nodes}, each with its
 *       {@code name}, {@code address}, {@code live}, {@code associations}, {@code lagMicros} and
 *       {@code sinceHeardMillis};
 *   <li>{@code POST .../flush} with exactly one of {@code id=ID}, {@code peer=ADDRESS} or
 *       {@code all=true} (form or query parameters): deletes those SAs (cause
 *       {@link DeletionCause#MANUAL}) and answers {@code {"flushed":n}}, the number deleted on this
 *       node; a flush of a peer or of all SAs applies on every node of the registry's cluster.
 * </ul>
 *
 * <p>A flush must carry the header {@value #FLUSH_HEADER} (any non-blank value, e.g. {@code 1}).
 * A browser sends no custom header on a cross-site form post and needs a CORS pre-flight, which this
 * servlet never grants, to send one from a script; so the header protects flushes against cross-site
 * request forgery without a token. Errors are {@code {"error":"..."}} with status 400 (bad
 * parameters), 403 (no header), 404, 405, or 503 when no registry is found (see
 * {@link TetherAttributes#registry}).
 *
 * <p>The servlet does no access control: protect it with a security constraint or
 * a filter (the sample shop's {@code RoleAccessFilter}), since SA views name users and peers.
 *
 * <pre>{@code
 * <servlet><servlet-name>tether</servlet-name>
 *   <servlet-class>dev.tether.servlet.AssociationServlet</servlet-class></servlet>
 * <servlet-mapping><servlet-name>tether</servlet-name><url-pattern>/tether/*</url-pattern></servlet-mapping>
 * }</pre>
 *
 * <p>Thread-safe and stateless; the container owns the instance.
 */
public class AssociationServlet extends HttpServlet {
  /** The header a flush must carry: {@value}. */
  public static final String FLUSH_HEADER = "X-Tether-Flush";

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String resource = resource(request);
    switch (resource) {
      case "associations", "stats" -> {
        AssociationRegistry registry = registryOr503(request, response);
        if (registry != null) {
          send(response, HttpServletResponse.SC_OK, resource.equals("stats")
              ? AssociationJson.stats(registry, registry.stats())
              : AssociationJson.associations(registry.associations()));
        }
      }
      case "flush" -> notAllowed(response, "POST");
      default -> notFound(response, resource);
    }
  }

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String resource = resource(request);
    switch (resource) {
      case "flush" -> {
        String header = request.getHeader(FLUSH_HEADER);
        if (header == null || header.isBlank()) {
          send(response, HttpServletResponse.SC_FORBIDDEN, AssociationJson.error(
              "a flush must carry the header '" + FLUSH_HEADER + ": 1'"));
          return;
        }
        AssociationRegistry registry = registryOr503(request, response);
        if (registry == null) {
          return;
        }
        int n;
        try {
          n = flush(registry, request.getParameter("id"), request.getParameter("peer"),
              request.getParameter("all"));
        } catch (IllegalArgumentException e) {
          send(response, HttpServletResponse.SC_BAD_REQUEST, AssociationJson.error(e.getMessage()));
          return;
        }
        send(response, HttpServletResponse.SC_OK, AssociationJson.flushed(n));
      }
      case "associations", "stats" -> notAllowed(response, "GET");
      default -> notFound(response, resource);
    }
  }

  /**
   * Flushes by exactly one of {@code id}, {@code peer} or {@code all} (which must be {@code true});
   * returns how many SAs were deleted.
   *
   * @throws IllegalArgumentException naming the parameters when not exactly one is given
   */
  static int flush(AssociationRegistry registry, String id, String peer, String all) {
    int given = (present(id) ? 1 : 0) + (present(peer) ? 1 : 0) + (present(all) ? 1 : 0);
    if (given != 1) {
      throw new IllegalArgumentException("give exactly one of id=ID, peer=ADDRESS or all=true");
    }
    if (present(id)) {
      return registry.flush(id.trim(), DeletionCause.MANUAL);
    }
    if (present(peer)) {
      return registry.flushPeer(peer.trim(), DeletionCause.MANUAL);
    }
    if (!all.trim().equals("true")) {
      throw new IllegalArgumentException("all='" + all + "' must be 'true'");
    }
    return registry.flushAll(DeletionCause.MANUAL);
  }

  /** The last segment of the path below the servlet, so the servlet works under any mapping. */
  static String resource(HttpServletRequest request) {
    String path = request.getPathInfo() != null ? request.getPathInfo() : request.getServletPath();
    if (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return path.substring(path.lastIndexOf('/') + 1);
  }

  private static AssociationRegistry registryOr503(HttpServletRequest request,
      HttpServletResponse response) throws IOException {
    String problem;
    try {
      AssociationRegistry registry = TetherAttributes.registry(request);
      if (registry != null) {
        return registry;
      }
      problem = "no Tether registry: the container's Tether adapter sets the request attribute '"
          + TetherAttributes.REGISTRY + "' (or the application the ServletContext attribute of that name)";
    } catch (IllegalStateException e) {
      problem = e.getMessage();
    }
    send(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, AssociationJson.error(problem));
    return null;
  }

  private static void notAllowed(HttpServletResponse response, String allow) throws IOException {
    response.setHeader("Allow", allow);
    send(response, HttpServletResponse.SC_METHOD_NOT_ALLOWED,
        AssociationJson.error("method not allowed; use " + allow));
  }

  private static void notFound(HttpServletResponse response, String resource) throws IOException {
    send(response, HttpServletResponse.SC_NOT_FOUND, AssociationJson.error("no resource '" + resource
        + "'; try associations, stats or flush"));
  }

  private static boolean present(String s) {
    return s != null && !s.isBlank();
  }

  static void send(HttpServletResponse response, int status, String json) throws IOException {
    response.setStatus(status);
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.setHeader("Cache-Control", "no-store");
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.getWriter().write(json);
  }
}
