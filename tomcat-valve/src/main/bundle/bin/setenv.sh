# Tether for Tomcat: the JVM flags Tether's TLS needs. catalina.sh reads bin/setenv.sh of
# CATALINA_BASE (or else CATALINA_HOME); if you have a setenv.sh already, add these lines to it.

# The JDK keeps TLS sessions in its own, stateful cache, so that deleting a security association
# stops its resumption. Tether's connector does not start without it (requireStatefulSessions).
CATALINA_OPTS="$CATALINA_OPTS -Djdk.tls.server.enableSessionTicketExtension=false"

# A client-initiated TLS 1.2 renegotiation is refused with a fatal alert, as RFC 5746 and TLS
# scanners expect: a renegotiated session would escape its security association.
CATALINA_OPTS="$CATALINA_OPTS -Djdk.tls.rejectClientInitiatedRenegotiation=true"

# A connector that cannot initialize (a wrong Tether attribute, a port in use) stops Tomcat's start
# instead of leaving Tomcat running without it.
CATALINA_OPTS="$CATALINA_OPTS -Dorg.apache.catalina.startup.EXIT_ON_INIT_FAILURE=true"
