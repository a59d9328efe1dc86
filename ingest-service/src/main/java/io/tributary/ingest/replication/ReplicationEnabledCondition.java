package io.tributary.ingest.replication;

import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** True when {@code ingest.cluster.peers} names at least one member (an empty value means a single node). */
public class ReplicationEnabledCondition implements Condition {

    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
        String peers = context.getEnvironment().getProperty("ingest.cluster.peers", "");
        return !peers.isBlank();
    }
}
