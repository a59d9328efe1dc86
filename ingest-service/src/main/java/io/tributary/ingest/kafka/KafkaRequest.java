package io.tributary.ingest.kafka;

import java.net.InetSocketAddress;

import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * One parsed request of a Kafka client. The listener authenticates nobody yet: every request is
 * {@code User:ANONYMOUS} to the ACLs (docs/kafka-protocol.md).
 */
record KafkaRequest(RequestHeader header, AbstractRequest body, InetSocketAddress client) {

    short version() {
        return header.apiVersion();
    }
}
