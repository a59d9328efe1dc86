package io.tributary.ingest.kafka;

/**
 * How a listener speaking Kafka's framing is bound and run: the client listener
 * ({@code ingest.kafka.*}) and the peers' replication listener ({@code ingest.replication.fetch-*}).
 *
 * @param name            what thread names and the start-up log line call it
 * @param portSetting     the property that sets the port, named when binding fails
 * @param bindHost        the address listened on
 * @param port            the port listened on (0: any free one, see {@link KafkaServer#boundPort})
 * @param ioThreads       Netty event loops reading and writing the connections
 * @param requestThreads  threads running the requests (an API's handler may finish later)
 * @param maxFrameBytes   a request frame larger than this closes the connection
 * @param nativeTransport epoll where it loads ({@link KafkaTransport})
 */
public record ListenerSettings(String name, String portSetting, String bindHost, int port, int ioThreads,
                               int requestThreads, int maxFrameBytes, boolean nativeTransport) {

    public ListenerSettings {
        if (ioThreads < 1 || requestThreads < 1) {
            throw new IllegalArgumentException(name + ": at least one I/O and one request thread");
        }
    }

    /** The Kafka client listener's settings. */
    static ListenerSettings of(KafkaProperties props, String bindHost) {
        return new ListenerSettings("kafka", "ingest.kafka.port; 0 turns it off", bindHost, props.port(),
                props.ioThreads(), props.requestThreads(),
                (int) Math.min(Integer.MAX_VALUE, props.maxRequestSize().toBytes()), props.nativeTransport());
    }
}
