package dev.tether.shop.launcher;

import dev.tether.servlet.AssociationServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The cluster's SA table for the shop's dashboard, added by the launcher to a node's shop at
 * {@value #PATH}{@code /*}, behind the shop's admin-only filter on {@code /tether/*}:
 *
 * <ul>
 *   <li>{@code GET /tether/cluster}: every node's SAs ({@link ClusterTable#json()});
 *   <li>{@code POST /tether/cluster/flush} with {@code node=NAME&id=ID} and the header
 *       {@value AssociationServlet#FLUSH_HEADER}: flushes one SA on the node that holds it,
 *       answering {@code {"flushed":n}} for this node's SAs and {@code {"sent":n}} (the nodes
 *       reached) for another's.
 * </ul>
 *
 * <p>A flush of a peer or of all SAs is {@code POST /tether/flush} as on a node alone: it crosses
 * the cluster by itself. Thread-safe and stateless but for the table it reads.
 */
final class ClusterServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  /** Where the launcher maps it. */
  static final String PATH = "/tether/cluster";

  private final transient ClusterTable table;

  ClusterServlet(ClusterTable table) {
    this.table = table;
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String path = request.getPathInfo();
    if (path == null || path.equals("/")) {
      send(response, 200, table.json());
    } else if (path.equals("/flush")) {
      response.setHeader("Allow", "POST");
      send(response, 405, error("method not allowed; use POST"));
    } else {
      send(response, 404, error("no resource '" + path + "'; try " + PATH + " or " + PATH
          + "/flush"));
    }
  }

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    if (!"/flush".equals(request.getPathInfo())) {
      response.setHeader("Allow", "GET");
      send(response, 405, error("method not allowed; use GET"));
      return;
    }
    String header = request.getHeader(AssociationServlet.FLUSH_HEADER);
    if (header == null || header.isBlank()) {
      send(response, 403, error("a flush must carry the header '"
          + AssociationServlet.FLUSH_HEADER + ": 1'"));
      return;
    }
    String node = request.getParameter("node");
    String id = request.getParameter("id");
    if (node == null || node.isBlank() || id == null || id.isBlank()) {
      send(response, 400, error("give node=NAME and id=ID"));
      return;
    }
    long n = table.flush(node.trim(), id.trim());
    if (n < 0) {
      send(response, 503, error("Redis did not answer: the flush did not reach node " + node));
    } else {
      StringBuilder out = new StringBuilder("{");
      Json.name(out, node.trim().equals(table.node()) ? "flushed" : "sent", true).append(n);
      send(response, 200, out.append('}').toString());
    }
  }

  private static String error(String message) {
    StringBuilder out = new StringBuilder("{");
    return Json.string(Json.name(out, "error", true), message).append('}').toString();
  }

  private static void send(HttpServletResponse response, int status, String json)
      throws IOException {
    response.setStatus(status);
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.setHeader("Cache-Control", "no-store");
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.getWriter().write(json);
  }
}
