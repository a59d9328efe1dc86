package io.tributary.ingest.kafka;

/** Where Kafka clients reach a node: its broker id (the node id), host and port. */
record KafkaEndpoint(int nodeId, String host, int port) {

    @Override
    public String toString() {
        return host + ":" + port + " (node " + nodeId + ")";
    }
}
