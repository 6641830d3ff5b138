package dev.tether.shop;

/**
 * One article of the catalogue. Prices are in euro cents.
 *
 * @param id short identifier used in forms and URLs
 * @param name display name
 * @param description one line of description
 * @param priceCents unit price in cents
 */
public record Product(String id, String name, String description, long priceCents) {
}
