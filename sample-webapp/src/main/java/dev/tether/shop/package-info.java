/**
 * Tether's sample shop: a catalogue, a cart, FORM login, checkout and orders, plus a live dashboard of
 * the server's security associations for administrators. Plain Servlet 6.0, server-rendered HTML, no
 * container classes; every page's footer shows the connection's SA as the Tether adapter reports it.
 */
package dev.tether.shop;
