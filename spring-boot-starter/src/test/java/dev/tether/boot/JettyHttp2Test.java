package dev.tether.boot;

import org.springframework.test.context.TestPropertySource;

/** The sample shop over HTTP/2 ({@code server.http2.enabled=true}) on Spring Boot's embedded Jetty. */
@TestPropertySource(properties = "spring.autoconfigure.exclude=org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration")
class JettyHttp2Test extends Http2Scenarios {
}
