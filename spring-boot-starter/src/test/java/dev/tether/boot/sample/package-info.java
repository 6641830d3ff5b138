/** A small Spring Boot shop run by the starter's tests, on embedded Tomcat or Jetty. */
package dev.tether.boot.sample;
