/**
 * Test clients and fakes that the tests of several modules share: a fake ticker, a strict JSON
 * parser, a JDK browser-like HTTP client, an {@code openssl s_client} driver and a
 * java.util.logging capture. Used in test scope only; it depends on no Tether module, so that
 * {@code tether-core}'s own tests can use it too.
 */
package dev.tether.testing;
