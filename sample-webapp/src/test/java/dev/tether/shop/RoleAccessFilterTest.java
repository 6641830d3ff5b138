package dev.tether.shop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class RoleAccessFilterTest {

  @Test
  void decode_basicToken_splitsAtFirstColon() {
    String token = Base64.getEncoder().encodeToString(
        "zoë:pa:ss wörd".getBytes(StandardCharsets.UTF_8));

    assertThat(RoleAccessFilter.decode(token)).containsExactly("zoë", "pa:ss wörd");
  }

  @Test
  void decode_malformedToken_isNull() {
    assertThat(RoleAccessFilter.decode("%%%")).isNull();
    assertThat(RoleAccessFilter.decode(Base64.getEncoder().encodeToString("nocolon".getBytes())))
        .isNull();
    assertThat(RoleAccessFilter.decode(Base64.getEncoder().encodeToString(":pw".getBytes())))
        .isNull();
  }
}
