package dev.tether;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.SaPolicy.ClientAuth;
import dev.tether.SaPolicy.FlushScope;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicySetTest {
  static final String EXAMPLE = """
      # Anonymous browsing: resumable for 30 s after the last connection closes.
      [policy browse]
      applies-to = anonymous
      grace = 30s
      on-login = connection
      on-logout = connection

      [policy customer]
      applies-to = role:customer
      grace = 2m
      max-age = 1h
      on-login = peer

      [policy admin]
      applies-to = role:admin, user:root
      protocols = TLSv1.3
      cipher-suites = TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256
      client-auth = want
      grace = 0
      max-age = 15m
      max-age-at-once = true
      on-login = peer
      on-logout = all
      require-own-association = true
      """;

  @Test
  void parse_completeExample_readsEverySetting() {
    PolicySet set = PolicySet.parse(EXAMPLE, "policies.conf");

    assertThat(set.policies()).extracting(SaPolicy::name)
        .containsExactly("browse", "customer", "admin");
    assertThat(set.anonymous().name()).isEqualTo("browse");
    SaPolicy admin = set.find("admin").orElseThrow();
    assertThat(admin.appliesTo()).containsExactlyInAnyOrder("role:admin", "user:root");
    assertThat(admin.protocols()).containsExactly("TLSv1.3");
    assertThat(admin.cipherSuites()).hasSize(2);
    assertThat(admin.clientAuth()).isEqualTo(ClientAuth.WANT);
    assertThat(admin.grace()).isZero();
    assertThat(admin.maxAge()).isEqualTo(Duration.ofMinutes(15));
    assertThat(admin.maxAgeAtOnce()).isTrue();
    assertThat(admin.onLogin()).isEqualTo(FlushScope.PEER);
    assertThat(admin.onLogout()).isEqualTo(FlushScope.ALL);
    assertThat(admin.requireOwnAssociation()).isTrue();
    SaPolicy customer = set.find("customer").orElseThrow();
    assertThat(customer.grace()).isEqualTo(Duration.ofMinutes(2));
    assertThat(customer.onLogout()).as("default").isEqualTo(FlushScope.CONNECTION);
    assertThat(customer.requireOwnAssociation()).isFalse();
  }

  @Test
  void resolve_userBeforeRoleBeforeAnonymous() {
    PolicySet set = PolicySet.parse(EXAMPLE, "policies.conf");
    Set<String> roles = Set.of("customer");

    assertThat(set.resolve(null, r -> true).name()).isEqualTo("browse");
    assertThat(set.resolve("alice", roles::contains).name()).isEqualTo("customer");
    assertThat(set.resolve("root", roles::contains).name()).isEqualTo("admin");
    assertThat(set.resolve("nobody", r -> false).name()).as("no match").isEqualTo("browse");
  }

  @Test
  void resolve_withoutAnonymousPolicy_usesDefaults() {
    PolicySet set = PolicySet.parse("[policy a]\napplies-to = role:x\n", "p");

    assertThat(set.anonymous()).isEqualTo(SaPolicy.defaults());
  }

  @Test
  void parse_errors_nameSourceLineAndProblem() {
    assertError("[policy a]\napplies-to = anonymous\ngrace = soon\n",
        "p.conf:3: grace='soon' is not a duration");
    assertError("[policy a]\napplies-to = anonymous\ncolour = red\n",
        "p.conf:3: unknown key 'colour'");
    assertError("[policy a]\napplies-to = anonymous\nprotocols = TLSv1.1\n",
        "p.conf:3: policy 'a': protocol 'TLSv1.1' is not one of");
    assertError("grace = 1s\n", "p.conf:1: 'grace' comes before any [policy NAME] section");
    assertError("[policy a]\napplies-to = everyone\n", "p.conf:2: policy 'a': appliesTo 'everyone'");
    assertError("[policy a]\ngrace = 1s\n", "p.conf:1: policy 'a' has no applies-to");
    assertError("[policy a]\napplies-to = anonymous\non-login = everything\n",
        "p.conf:3: on-login = 'everything' must be one of none, connection, peer, all");
    assertError("[policy a]\napplies-to = anonymous\ngrace = 1s\ngrace = 2s\n",
        "p.conf:4: 'grace' is set twice");
    assertError("[rule a]\n", "p.conf:1: expected '[policy NAME]'");
    assertError("[policy a]\napplies-to = anonymous\njust words\n", "p.conf:3: expected 'key = value'");
    assertError("", "p.conf: no [policy NAME] section");
    assertError("[policy a]\napplies-to = anonymous\nmax-age-at-once = yes\n",
        "p.conf:3: max-age-at-once = 'yes' must be one of true, false");
  }

  @Test
  void of_duplicateNamesOrTwoAnonymousPolicies_areRejected() {
    SaPolicy a = SaPolicy.builder("a").appliesTo("anonymous").build();
    SaPolicy b = SaPolicy.builder("b").appliesTo("anonymous").build();

    assertThatThrownBy(() -> PolicySet.of(a, a)).hasMessageContaining("'a' is defined twice");
    assertThatThrownBy(() -> PolicySet.of(a, b)).hasMessageContaining("both apply to anonymous");
  }

  private static void assertError(String text, String message) {
    assertThatThrownBy(() -> PolicySet.parse(text, "p.conf"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(message);
  }

  @Test
  void roles_areTheRolesTheSelectorsName() {
    PolicySet set = PolicySet.parse(EXAMPLE, "policies.conf");

    assertThat(set.roles()).containsExactly("customer", "admin");
    assertThat(PolicySet.defaults().roles()).isEmpty();
  }

  @Test
  void saPolicy_equalPolicies_hashAlike_policiesDifferingBeyondTheirName_stayUnequal() {
    SaPolicy a = SaPolicy.builder("staff").grace(Duration.ofSeconds(5)).build();
    SaPolicy b = SaPolicy.builder("staff").grace(Duration.ofSeconds(5)).build();
    SaPolicy c = SaPolicy.builder("staff").grace(Duration.ofSeconds(6)).build();

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(c);
  }
}
