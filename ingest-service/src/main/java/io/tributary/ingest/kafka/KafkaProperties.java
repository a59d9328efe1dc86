package io.tributary.ingest.kafka;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The Kafka listener, under {@code ingest.kafka.*} (docs/kafka-protocol.md).
 *
 * @param port            the port Kafka clients connect to; {@code 0} turns the listener off
 * @param bindHost        the interface it listens on; empty (the default) means {@code server.address}, the same
 *                        interface as the HTTP API (loopback unless a deployment says otherwise)
 * @param advertisedHost  the host name this node gives clients in its Metadata answers, where they connect for
 *                        everything after bootstrapping; empty means the bind host, or this machine's host name
 *                        when it listens on every interface ({@code 0.0.0.0})
 * @param advertisedPort  the port this node gives clients in its Metadata answers; {@code 0} (the default) means
 *                        {@link #port}. Another port is for clients that reach the listener through a translation
 *                        (NAT, a Kubernetes NodePort, a proxy), as Kafka's {@code advertised.listeners} allows; on a
 *                        cluster, this node's peer entry (or self-address) must name this port as its Kafka port
 * @param maxRequestSize  the largest request frame accepted (Kafka's {@code socket.request.max.bytes}); a larger
 *                        one closes the connection, as Kafka does
 * @param requestThreads  threads that run requests (log and Raft work never runs on the network threads); a
 *                        request that waits for a Raft commit holds one
 * @param ioThreads       Netty event-loop threads that read and write the connections
 * @param groupInitialRebalanceDelay how long an empty consumer group's first rebalance waits for more members
 *                        to join (Kafka's {@code group.initial.rebalance.delay.ms}), so that consumers started
 *                        together get their partitions in one rebalance rather than one each
 * @param nativeTransport  use Linux's native epoll transport where it loads (the default); {@code false} uses Java
 *                        NIO everywhere. Both speak the same protocol; epoll sends fetched records with fewer
 *                        system calls
 */
@ConfigurationProperties("ingest.kafka")
public record KafkaProperties(
        @DefaultValue("9092") int port,
        @DefaultValue("") String bindHost,
        @DefaultValue("") String advertisedHost,
        @DefaultValue("0") int advertisedPort,
        @DefaultValue("100MB") DataSize maxRequestSize,
        @DefaultValue("16") int requestThreads,
        @DefaultValue("2") int ioThreads,
        @DefaultValue("3s") java.time.Duration groupInitialRebalanceDelay,
        @DefaultValue("true") boolean nativeTransport) {

    public KafkaProperties {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("ingest.kafka.port must be 0 (off) or a port number, not " + port);
        }
        if (advertisedPort < 0 || advertisedPort > 65535) {
            throw new IllegalArgumentException("ingest.kafka.advertised-port must be 0 (the listening port) or a port "
                    + "number, not " + advertisedPort);
        }
        if (requestThreads < 1 || ioThreads < 1) {
            throw new IllegalArgumentException("ingest.kafka.request-threads and io-threads must be at least 1");
        }
    }

    public boolean enabled() {
        return port != 0;
    }

    /** The port clients are told to connect to: {@link #advertisedPort}, else {@link #port}. */
    public int portForClients() {
        return advertisedPort != 0 ? advertisedPort : port;
    }
}
