# Tether for Jetty 12. Unpack tether-jetty-*-jetty-base.zip into the jetty-base, then --add-modules=tether.

[description]
Ties every TLS connection to a security association (SA) whose life follows the sockets that use it:
a resumed connection reuses its SA, a full handshake creates one, and the SA is deleted (its TLS
sessions invalidated) when its last connection closes, at once or after a grace period.

[tags]
connector
ssl
security

[depend]
ssl

[lib]
lib/tether/*.jar

[xml]
etc/jetty-tether.xml

[exec]
-Djdk.tls.server.enableSessionTicketExtension=false
-Djdk.tls.rejectClientInitiatedRenegotiation=true

[ini-template]
## Name of the SA registry, shown in logs and JMX (letters, digits, '.', '_', '-').
#jetty.tether.registryName=default

## Grace period: how long an SA stays resumable after its last connection closed. Durations are
## written 0, 500ms, 30s, 15m, 2h, 1d, PT30S or in plain milliseconds (30000). 0 deletes an SA when
## its last connection closes. With a policy file (below) each policy's own grace applies instead.
#jetty.tether.grace=30s

## The most SAs held; past it an idle SA makes room or the handshake fails.
#jetty.tether.maxAssociations=100000

## The most SAs held for one client IP address; past it the handshake fails.
#jetty.tether.maxAssociationsPerPeer=1000

## TLS provider of the connectors: jdk or bcjsse (Bouncy Castle's BCJSSE; README, "Providers").
## bcjsse needs Bouncy Castle's jars, which this module does not ship: add Jetty's own
## 'bouncycastle' module (--add-modules=bouncycastle), or Jetty's 'ext' module with bcprov, bcutil and
## bctls (one version) in lib/ext.
#jetty.tether.provider=jdk

## Whether a JDK TLS server left with stateless session tickets stops the start (true)
## or only logs a warning (false). The [exec] line above keeps sessions stateful.
#jetty.tether.requireStatefulSessions=true

## Whether to leave TLS 1.2 renegotiation as the ssl module has it. false refuses a client's
## renegotiation: with the JDK's fatal alert under the [exec] line's
## -Djdk.tls.rejectClientInitiatedRenegotiation=true, else by closing the connection (and a WARN).
#jetty.tether.renegotiationAllowed=false

## Names of the connectors to attach to (Connector.getName()), comma-separated;
## empty attaches to every TLS connector.
#jetty.tether.connectorNames=

## Policy file: named policies for anonymous traffic, roles and users (format in the README,
## "Policies"), relative to the jetty-base unless absolute. Empty uses the built-in default policy.
## A bad file stops the start, naming its line.
## Logins reach the policies through dev.tether.jetty.JettyTetherLoginService wrapping the realm,
## and dev.tether.servlet.TetherLoginFilter in the web application.
#jetty.tether.policies=

## How long a login binds its client address to the user's policy (new connections from it
## negotiate under that policy) unless a logout ends it first; a duration, more than 0.
#jetty.tether.peerBindingTtl=30m

## The most client addresses bound to a user's policy at once.
#jetty.tether.maxBoundPeers=100000

## Several nodes (README, "Running several nodes"): the Redis every node shares, redis://HOST:PORT
## (rediss://USER:PASSWORD@HOST:PORT for TLS and an ACL user). Flushes of a peer or of all SAs, and
## peer bindings, then reach every node. Needs the jars of tether-cluster-redis and its dependencies
## (Lettuce, Netty, Reactor) in lib/tether/. Empty: the node is alone.
#jetty.tether.clusterUri=

## This node's name, unique in the cluster (letters, digits, '.', '_', '-').
#jetty.tether.clusterNode=

## File of the secret shared by every node, 16 bytes or more (openssl rand -base64 32 > FILE),
## relative to the jetty-base unless absolute.
#jetty.tether.clusterSecretFile=

## How long a login's flush waits for every live node to apply it (0 to 10s); past it the response
## goes and the miss is counted and logged.
#jetty.tether.clusterAckTimeout=50ms

## How often the node announces itself; a node silent for three periods is not waited for.
#jetty.tether.clusterHeartbeat=1s

## Prefix of the cluster's Redis keys: one prefix, one cluster.
#jetty.tether.clusterStream=tether

## Events kept while Redis is unreachable, sent on reconnection.
#jetty.tether.clusterMaxPending=10000

## Entries the stream keeps for nodes that were away (100 or more).
#jetty.tether.clusterMaxLength=100000

## Whether an unreachable Redis stops the start instead of the node serving alone and retrying.
#jetty.tether.clusterRequired=false

## What the node announces as its address in the cluster view.
#jetty.tether.clusterAddress=
