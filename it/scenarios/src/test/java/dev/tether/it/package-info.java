/**
 * Tether's end-to-end tests: the patent's flow (FIG. 3 and 4) as one scenario suite on the shop WAR,
 * run by the container modules against Jetty 12.0 and Tomcat 11 under Arquillian and against an
 * embedded Jetty 12.1, with real TLS clients ({@code SSLSocket}, {@code openssl s_client}).
 */
package dev.tether.it;
