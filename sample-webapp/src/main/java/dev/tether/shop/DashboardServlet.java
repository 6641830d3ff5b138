package dev.tether.shop;

import static dev.tether.shop.Page.esc;
import static dev.tether.shop.Page.url;

import dev.tether.AssociationRegistry;
import dev.tether.servlet.AssociationServlet;
import dev.tether.servlet.TetherAttributes;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The SA dashboard ({@code admin} role): the page around {@code static/dashboard.js}, which polls
 * {@code /tether/associations} and {@code /tether/stats} every 2 seconds, fills the table and the
 * counters, draws the charts and sends the flush buttons' posts.
 *
 * <p>On a node of a cluster ({@code stats} has {@code cluster}) it also shows every node (name,
 * address, SAs, propagation lag, last heard) and, where the shop's launcher serves
 * {@code /tether/cluster}, every node's SAs in one table with the node of each; a flush of one SA
 * goes to the node that holds it, a flush of a peer or of all SAs reaches every node.
 */
public class DashboardServlet extends HttpServlet {

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append("<div id=\"dashboard\" data-api=\"").append(url(request, "/tether")).append("\">\n")
        .append("<div class=\"titlebar\"><h1>Security associations</h1>")
        .append("<span class=\"live\" id=\"status\">connecting…</span></div>\n")
        .append("<p class=\"lead\">Each SA is the TLS state born in one full handshake; connections that ")
        .append("resume it share it. When its last connection closes it waits out its grace period, ")
        .append("then it is deleted and can no longer be resumed.</p>\n");
    String problem = null;
    try {
      AssociationRegistry registry = TetherAttributes.registry(request);
      if (registry == null) {
        problem = "This server has no Tether registry: start the shop with a Tether adapter "
            + "(Jetty module or Tomcat connector) to see its security associations.";
      }
    } catch (IllegalStateException e) {
      problem = e.getMessage();
    }
    if (problem != null) {
      sb.append("<p class=\"notice error\" id=\"no-registry\">").append(esc(problem)).append("</p>\n");
    }
    sb.append("<section class=\"counters\" id=\"counters\"></section>\n")
        .append("<section class=\"charts\">\n")
        .append(chart("chart-sas", "Security associations",
            "<span class=\"key active\">active</span><span class=\"key idle\">idle</span>"))
        .append(chart("chart-handshakes", "Handshakes per 2 s",
            "<span class=\"key negotiated\">negotiated (full)</span>"
                + "<span class=\"key reused\">resumed (reused SA)</span>"))
        .append("</section>\n")
        .append("<section id=\"nodes\" hidden>\n<h2>Nodes <span class=\"count\" id=\"node-count\">")
        .append("</span></h2>\n<p class=\"small\">The nodes behind the balancer, as this node sees them")
        .append(" in the cluster: a login's flush reaches every live node before its response")
        .append(" leaves.</p>\n<div class=\"scroll\"><table class=\"kv nodes\" id=\"node-table\">")
        .append("<thead><tr><th>Node</th><th>Address</th><th>State</th><th class=\"num\">SAs</th>")
        .append("<th class=\"num\">Lag</th><th class=\"num\">Heard</th></tr></thead>")
        .append("<tbody></tbody></table></div>\n</section>\n")
        .append("<section>\n<div class=\"toolbar\"><h2>Table <span class=\"count\" id=\"count\"></span></h2>")
        .append("<button type=\"button\" class=\"danger\" id=\"flush-all\">Flush all</button></div>\n")
        .append("<div class=\"scroll\"><table class=\"sa\" id=\"sa-table\">\n<thead><tr>")
        .append("<th>Id</th><th>Peer</th><th>Protocol</th><th>Cipher suite</th><th>Policy</th>")
        .append("<th>Principals</th><th>State</th><th class=\"num\">Refs</th><th class=\"num\">Reuses</th>")
        .append("<th class=\"num\">Age</th><th class=\"num\">Idle</th><th class=\"node-col\">Node</th>")
        .append("<th></th></tr></thead>\n")
        .append("<tbody><tr><td colspan=\"13\" class=\"empty\">Loading…</td></tr></tbody>\n</table></div>\n")
        .append("</section>\n")
        .append("<section class=\"columns\">\n<div><h2>Deletions by cause</h2>")
        .append("<table class=\"kv\" id=\"by-cause\"><tbody></tbody></table></div>\n")
        .append("<div><h2>Refusals by reason</h2>")
        .append("<table class=\"kv\" id=\"by-reason\"><tbody></tbody></table></div>\n")
        .append("<div><h2>For scripts</h2><p class=\"small\">The same data as JSON, for the admin role ")
        .append("(session or HTTP BASIC):</p><ul class=\"links\">")
        .append("<li><a href=\"").append(url(request, "/tether/associations"))
        .append("\">GET /tether/associations</a></li>")
        .append("<li><a href=\"").append(url(request, "/tether/stats")).append("\">GET /tether/stats</a></li>")
        .append("<li><code>POST /tether/flush</code> with <code>id=</code>, <code>peer=</code> or ")
        .append("<code>all=true</code> and the header <code>").append(AssociationServlet.FLUSH_HEADER)
        .append(": 1</code></li></ul></div>\n</section>\n</div>\n")
        .append("<script src=\"").append(url(request, "/static/dashboard.js")).append("\" defer></script>\n");
    Page.send(request, response, "Security associations", sb.toString());
  }

  private static String chart(String id, String title, String legend) {
    return "<figure class=\"chart\"><figcaption>" + title + "<span class=\"legend\">" + legend
        + "</span></figcaption><svg id=\"" + id + "\" viewBox=\"0 0 600 180\" "
        + "role=\"img\" aria-label=\"" + title + "\"></svg></figure>\n";
  }
}
