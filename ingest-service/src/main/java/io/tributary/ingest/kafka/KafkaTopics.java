package io.tributary.ingest.kafka;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.tributary.ingest.acl.AccessControl;
import io.tributary.ingest.acl.Operation;
import io.tributary.ingest.acl.ResourceType;
import io.tributary.ingest.security.Principals;
import io.tributary.ingest.topic.TopicRegistry;
import org.apache.kafka.common.Uuid;

/**
 * Topics as Kafka clients name them (by name, or by topic id from Produce v13 and Fetch v13 on),
 * and what the listener's principal may do with them. The ids are the log's own topic ids, which
 * are Kafka-style UUIDs already ({@link io.tributary.ingest.topic.TopicIds}).
 */
final class KafkaTopics {

    /** Every Kafka client is anonymous until the listener authenticates (docs/kafka-protocol.md). */
    static final String PRINCIPAL = Principals.ANONYMOUS;

    private final TopicRegistry topics;
    private final AccessControl access;
    private final Map<String, Uuid> ids = new ConcurrentHashMap<>();

    KafkaTopics(TopicRegistry topics, AccessControl access) {
        this.topics = topics;
        this.access = access;
    }

    /** The topic, or null when there is none of that name. */
    TopicRegistry.Topic byName(String name) {
        return name != null && topics.exists(name) ? topics.get(name) : null;
    }

    /** The topic with that id, or null. */
    TopicRegistry.Topic byId(Uuid id) {
        if (id == null || Uuid.ZERO_UUID.equals(id)) {
            return null;
        }
        return topics.byId(id.toString());
    }

    /** Named by id when the id is set (newer request versions), else by name. */
    TopicRegistry.Topic resolve(String name, Uuid id) {
        return id != null && !Uuid.ZERO_UUID.equals(id) ? byId(id) : byName(name);
    }

    Uuid idOf(TopicRegistry.Topic topic) {
        String id = topic.metadata().topicId();
        return id == null ? Uuid.ZERO_UUID : ids.computeIfAbsent(id, Uuid::fromString);
    }

    boolean may(String topic, Operation op) {
        return access.permits(PRINCIPAL, ResourceType.TOPIC, topic, op, false);
    }

    /** Whether the principal may do it on another kind of resource (a group); a refusal is counted. */
    boolean mayResource(ResourceType type, String name, Operation op) {
        return access.permits(PRINCIPAL, type, name, op, false);
    }

    boolean mayDescribe(String topic) {
        return access.permits(PRINCIPAL, ResourceType.TOPIC, topic, Operation.DESCRIBE, true);
    }

    /** Creating a topic: CLUSTER CREATE, or TOPIC CREATE on its name (as in Kafka). */
    boolean mayCreate(String topic) {
        return access.permits(PRINCIPAL, ResourceType.CLUSTER, ResourceType.CLUSTER_NAME, Operation.CREATE, true)
                || may(topic, Operation.CREATE);
    }

    TopicRegistry registry() {
        return topics;
    }
}
