package dev.tether.it;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.arquillian.container.test.api.ContainerController;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * A test class's own container: the containers of {@code arquillian.xml} are {@code manual}, so that
 * each combination class starts its container (with its TLS provider) once, runs every scenario on
 * it, and can stop it and look at what is left.
 */
final class ArquillianShop {
  /** The name of every test class's deployment. */
  static final String DEPLOYMENT = "shop";

  private ArquillianShop() {}

  /** Returns the packaged shop WAR ({@code tether-shop-server.war}), deployed at {@code /shop}. */
  static WebArchive war() {
    Path war = Path.of(System.getProperty("tether.it.war", "target/wars/tether-shop-server.war"));
    if (!Files.isRegularFile(war)) {
      throw new IllegalStateException(war.toAbsolutePath() + " is missing: run through Maven"
          + " (mvn verify), which packages sample-webapp first and copies its WAR here");
    }
    return ShrinkWrap.create(ZipImporter.class, "shop.war").importFrom(war.toFile())
        .as(WebArchive.class);
  }

  /** Returns the shop of {@code container}, starting it and deploying the WAR the first time. */
  static TetherShop start(ContainerController controller, Deployer deployer, String container) {
    TetherShop shop = TetherShops.get(container);
    if (shop == null) {
      controller.start(container);
      deployer.deploy(DEPLOYMENT);
      shop = TetherShops.get(container);
      if (shop == null) {
        throw new IllegalStateException("container " + container + " started without Tether");
      }
    }
    return shop;
  }

  /** Undeploys the WAR and stops the container. */
  static void stop(ContainerController controller, Deployer deployer, String container) {
    deployer.undeploy(DEPLOYMENT);
    controller.stop(container);
  }
}
