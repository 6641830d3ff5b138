package dev.tether.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.DeletionCause;
import dev.tether.SecurityAssociation;
import dev.tether.testing.OpenSslClient;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 5. Grace G ({@code graceful} connector, the built-in default policy with a grace of 2 s on the
 * system clock): the SA of the last connection to close goes idle; a reconnection within G resumes
 * it (no negotiation, counted as a reuse and a revival); after G it is deleted and the next
 * connection negotiates. Where the server cannot resume, the SA is deleted at its close instead.
 *
 * <p>{@link ShopScenarios} runs these in every combination; each test is a client of its own.
 */
public interface GraceScenarios extends ShopTest {

  @Test
  @Order(5)
  default void withGrace_aReconnectionWithinTheGraceReuses_andAfterTheGraceTheSaIsGone()
      throws Exception {
    TetherShop shop = shop();
    Endpoint endpoint = shop.graceful();
    ShopClient client = new ShopClient(shop, protocol(), http2());

    ShopConnection first = client.visit(endpoint);
    String id = endpoint.associationsOf(client.peer()).get(0).id();
    first.close();
    if (!serverResumes()) {
      // No client could ever resume it: deleted at its last close, whatever the grace.
      awaitDeletion(endpoint, client.peer());
      assertThat(endpoint.journal().deletionCause(id)).isEqualTo(DeletionCause.LAST_CLOSE);
      assertThat(endpoint.journal().idleBeforeDeletion(id)).as("never idle").isNull();
      try (ShopConnection second = client.visit(endpoint)) {
        assertThat(second.resumed(first)).isFalse();
        assertThat(endpoint.associationsOf(client.peer())).singleElement()
            .satisfies(sa -> assertThat(sa.id()).isNotEqualTo(id));
      }
      return;
    }
    await().until(() -> stateOf(endpoint, id) == SecurityAssociation.State.IDLE);
    assertThat(admin(shop).associationsOf(endpoint, client.peer())).singleElement()
        .satisfies(row -> assertThat(row).containsEntry("state", "IDLE").containsEntry("references", 0L)
            .doesNotContainEntry("idleSince", null));

    ShopConnection second = client.visit(endpoint);
    List<SecurityAssociation> within = endpoint.associationsOf(client.peer());
    second.close();
    assertThat(second.resumed(first)).as("client resumed within the grace").isTrue();
    assertThat(within).singleElement().satisfies(sa -> {
      assertThat(sa.id()).isEqualTo(id);
      assertThat(sa.references()).isEqualTo(1);
      assertThat(sa.reuses()).isEqualTo(1);
    });
    assertThat(endpoint.journal().revivals(id)).isEqualTo(1);

    awaitDeletion(endpoint, client.peer());
    assertThat(endpoint.associationsOf(client.peer())).isEmpty();
    assertThat(endpoint.journal().deletionCause(id)).isEqualTo(DeletionCause.GRACE_EXPIRED);
    // Deleted no sooner than the grace (the journal's clock starts a little after the registry's).
    assertThat(endpoint.journal().idleBeforeDeletion(id))
        .isGreaterThan(endpoint.grace().minusMillis(100));
    try (ShopConnection third = client.visit(endpoint)) {
      assertThat(third.resumed(second)).as("client resumed after the grace").isFalse();
      assertThat(endpoint.associationsOf(client.peer())).singleElement()
          .satisfies(sa -> assertThat(sa.id()).isNotEqualTo(id));
    }
  }

  @Test
  @Order(5)
  default void openssl_withGrace_reusedWithinTheGrace_newAfterIt(@TempDir Path dir) throws Exception {
    TetherShop shop = shop();
    Endpoint endpoint = shop.graceful();
    String peer = Peers.next();
    OpenSslClient openssl = openssl(shop, endpoint, peer);
    Path first = sessionFile(dir, "first.pem");
    Path second = sessionFile(dir, "second.pem");

    OpenSslClient.Result newOne = openssl.request(null, first);
    await().until(() -> endpoint.associationsOf(peer).stream()
        .allMatch(sa -> sa.state() == SecurityAssociation.State.IDLE));
    OpenSslClient.Result within = openssl.request(first, second);
    awaitDeletion(endpoint, peer);
    OpenSslClient.Result after = openssl.request(second, null);

    assertThat(newOne.handshake()).isEqualTo(OpenSslClient.Handshake.NEW);
    assertThat(within.handshake()).as(within.output()).isEqualTo(serverResumes()
        ? OpenSslClient.Handshake.REUSED : OpenSslClient.Handshake.NEW);
    assertThat(after.handshake()).as(after.output()).isEqualTo(OpenSslClient.Handshake.NEW);
    if (protocol().equals("TLSv1.2")) {
      // s_client -reconnect: one connection, then five that each close before the next opens.
      String reconnecting = Peers.next();
      OpenSslClient.Result reconnect = openssl(shop, endpoint, reconnecting).reconnect();
      assertThat(reconnect.handshakes()).as(reconnect.output()).containsExactly(
          OpenSslClient.Handshake.NEW, OpenSslClient.Handshake.REUSED,
          OpenSslClient.Handshake.REUSED, OpenSslClient.Handshake.REUSED,
          OpenSslClient.Handshake.REUSED, OpenSslClient.Handshake.REUSED);
      // The server completes a resumed TLS 1.2 handshake after the client: the last may still run.
      await().untilAsserted(() -> assertThat(endpoint.associationsOf(reconnecting)).singleElement()
          .satisfies(sa -> assertThat(sa.reuses()).isEqualTo(5)));
    }
  }
}
