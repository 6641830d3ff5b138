package dev.tether.shop;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Scheduler;
import dev.tether.AssociationRegistry;
import dev.tether.servlet.TetherAttributes;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.servlets.DefaultServlet;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged server WAR in a real embedded Tomcat 11 (plain HTTP), with the README's users in
 * Tomcat's in-memory realm: the same web.xml works in both containers.
 */
class TomcatDeploymentIT {
  private static final AssociationRegistry REGISTRY = AssociationRegistry.builder().name("tomcat-it")
      .scheduler(Scheduler.disabledScheduler()).build();
  private static Tomcat tomcat;
  private static URI base;

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("tether-tomcat");
    tomcat = new Tomcat();
    tomcat.setBaseDir(dir.toString());
    tomcat.setHostname("127.0.0.1");
    tomcat.setPort(0);
    tomcat.getConnector();
    ShopServer.USERS.forEach((user, pw) -> {
      tomcat.addUser(user, pw[0]);
      tomcat.addRole(user, pw[1]);
    });
    Files.createDirectories(dir.resolve("webapps"));
    // Tomcat's default web.xml would add a JSP servlet, which the shop does not need: serve static
    // files with the default servlet alone.
    tomcat.setAddDefaultWebXmlToWebapp(false);
    Context shop = tomcat.addWebapp(ShopServer.CONTEXT,
        Path.of("target/tether-shop-server.war").toAbsolutePath().toString());
    Wrapper files = Tomcat.addServlet(shop, "default", new DefaultServlet());
    files.addInitParameter("listings", "false");
    shop.addServletMappingDecoded("/", "default");
    Tomcat.addDefaultMimeTypeMappings(shop);
    tomcat.start();
    shop.getServletContext().setAttribute(TetherAttributes.REGISTRY, REGISTRY);
    base = URI.create("http://localhost:" + tomcat.getConnector().getLocalPort() + ShopServer.CONTEXT);
  }

  @AfterAll
  static void stop() throws Exception {
    tomcat.stop();
    tomcat.destroy();
    REGISTRY.close();
  }

  @Test
  void shopping_loginCheckoutLogout_onTomcat() throws Exception {
    Browser b = new Browser(base, null);
    b.submit(b.get("/"), "/cart", "action", "add", "product", "key", "quantity", "2");

    HttpResponse<String> checkout = b.login("/checkout", "alice", "wonderland");
    HttpResponse<String> confirmation = b.submit(checkout, "/checkout");
    HttpResponse<String> out = b.submit(confirmation, "/logout");

    assertThat(checkout.uri().getPath()).isEqualTo("/shop/checkout");
    assertThat(confirmation.body()).contains("Thank you for your order", "€90.00");
    assertThat(out.body()).contains("You are logged out");
    assertThat(b.get("/orders").body()).contains("j_security_check");
  }

  @Test
  void tether_onTomcat_basicAndSessionAccessAndFlush() throws Exception {
    Browser admin = new Browser(base, null);
    admin.login("/account", "admin", "tether-admin");
    Browser alice = new Browser(base, null);
    alice.login("/account", "alice", "wonderland");

    HttpResponse<String> session = admin.get("/tether/stats");
    HttpResponse<String> basic = new Browser(base, null).get("/tether/associations",
        "Authorization", Browser.basic("admin", "tether-admin"));
    HttpResponse<String> anonymous = new Browser(base, null).get("/tether/stats");
    HttpResponse<String> customer = alice.get("/tether/stats");
    HttpResponse<String> flush = admin.post("/tether/flush", Map.of("all", "true"),
        "X-Tether-Flush", "1");
    HttpResponse<String> dashboard = admin.get("/admin/associations");

    assertThat(session.statusCode()).isEqualTo(200);
    assertThat(session.body()).contains("\"registry\":\"tomcat-it\"");
    assertThat(basic.statusCode()).isEqualTo(200);
    assertThat(basic.body()).isEqualTo("[]");
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
        h -> assertThat(h).startsWith("Basic realm="));
    assertThat(customer.statusCode()).isEqualTo(403);
    assertThat(flush.body()).isEqualTo("{\"flushed\":0}");
    assertThat(dashboard.body()).contains("id=\"sa-table\"").doesNotContain("id=\"no-registry\"");
  }

  @Test
  void staticFiles_areServedByTheDefaultServlet_onTomcat() throws Exception {
    HttpResponse<String> css = new Browser(base, null).get("/static/shop.css");

    assertThat(css.statusCode()).isEqualTo(200);
    assertThat(css.headers().firstValue("Content-Type")).hasValueSatisfying(
        ct -> assertThat(ct).startsWith("text/css"));
  }

  @Test
  void forbiddenAndMissingPages_useTheShopsErrorPage_onTomcat() throws Exception {
    Browser admin = new Browser(base, null);
    admin.login("/account", "admin", "tether-admin");

    HttpResponse<String> forbidden = admin.get("/checkout");
    HttpResponse<String> missing = admin.get("/nowhere");

    assertThat(forbidden.statusCode()).isEqualTo(403);
    assertThat(forbidden.body()).contains("Not for you");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).contains("Not found");
  }
}
