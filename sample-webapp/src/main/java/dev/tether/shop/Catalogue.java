package dev.tether.shop;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The shop's products, fixed at start-up and kept in memory. Immutable and thread-safe.
 *
 * <pre>{@code
 * Catalogue catalogue = Catalogue.standard();
 * catalogue.find("mug").map(Product::priceCents);
 * }</pre>
 */
public final class Catalogue {
  private final Map<String, Product> products = new LinkedHashMap<>();

  /** Creates a catalogue of the given products, in display order; ids must be unique. */
  public Catalogue(List<Product> products) {
    for (Product p : products) {
      if (this.products.put(p.id(), p) != null) {
        throw new IllegalArgumentException("duplicate product id '" + p.id() + "'");
      }
    }
  }

  /** Returns the sample shop's catalogue. */
  public static Catalogue standard() {
    return new Catalogue(List.of(
        new Product("mug", "Handshake mug", "Holds 350 ml of coffee; survives renegotiation.", 1200),
        new Product("tee", "Cipher suite T-shirt", "Organic cotton, printed with TLS_AES_128_GCM_SHA256.",
            2400),
        new Product("cable", "Patch cable, 2 m", "Cat 6a, shielded, in Tether orange.", 650),
        new Product("key", "Hardware security key", "FIDO2 and one-time passwords, USB-C.", 4500),
        new Product("router", "Small office router", "Four ports, IPsec and WireGuard.", 8900),
        new Product("book", "Networking handbook", "From sockets to security associations, 420 pages.",
            3900)));
  }

  /** Returns every product, in display order. */
  public List<Product> products() {
    return List.copyOf(products.values());
  }

  /** Returns the product with this id. */
  public Optional<Product> find(String id) {
    return id == null ? Optional.empty() : Optional.ofNullable(products.get(id));
  }
}
