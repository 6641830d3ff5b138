package dev.tether.shop;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Scheduler;
import dev.tether.AssociationRegistry;
import dev.tether.servlet.TetherAttributes;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged WAR files deployed as a server deploys them (own class loader, WEB-INF/lib first),
 * with a registry made by the server's copy of Tether as the ServletContext attribute.
 */
class WarDeploymentIT {
  private final AssociationRegistry registry = AssociationRegistry.builder().name("war-it")
      .scheduler(Scheduler.disabledScheduler()).build();
  private Server server;

  @BeforeEach
  void check() {
    assertThat(Path.of("target/tether-shop.war")).exists();
    assertThat(Path.of("target/tether-shop-server.war")).exists();
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.stop();
    }
    registry.close();
  }

  private URI deploy(String war) throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    WebAppContext webapp = new WebAppContext();
    webapp.setContextPath(ShopServer.CONTEXT);
    webapp.setWar(Path.of("target", war).toAbsolutePath().toString());
    webapp.setTempDirectory(Files.createTempDirectory("tether-war").toFile());
    webapp.setThrowUnavailableOnStartupException(true);
    webapp.getSecurityHandler().setLoginService(ShopServer.loginService());
    webapp.setAttribute(TetherAttributes.REGISTRY, registry);
    server.setHandler(webapp);
    server.start();
    return URI.create("http://localhost:" + connector.getLocalPort() + ShopServer.CONTEXT);
  }

  @Test
  void serverWar_usesTheServersTetherClasses() throws Exception {
    Browser b = new Browser(deploy("tether-shop-server.war"), null);

    HttpResponse<String> stats = b.get("/tether/stats", "Authorization",
        Browser.basic("admin", "tether-admin"));

    assertThat(b.get("/").body()).contains("Handshake mug");
    assertThat(stats.statusCode()).isEqualTo(200);
    assertThat(stats.body()).contains("\"registry\":\"war-it\"");
  }

  @Test
  void selfContainedWar_runsTheShopAndNamesTheClassLoaderMismatch() throws Exception {
    URI base = deploy("tether-shop.war");
    Browser b = new Browser(base, null);
    b.submit(b.get("/"), "/cart", "action", "add", "product", "tee", "quantity", "3");
    b.login("/checkout", "alice", "wonderland");

    HttpResponse<String> confirmation = b.submit(b.get("/checkout"), "/checkout");
    HttpResponse<String> stats = new Browser(base, null).get("/tether/stats", "Authorization",
        Browser.basic("admin", "tether-admin"));

    assertThat(confirmation.body()).contains("Thank you for your order", "€72.00");
    assertThat(stats.statusCode()).isEqualTo(503);
    assertThat(stats.body()).contains("load tether-core once");
  }
}
