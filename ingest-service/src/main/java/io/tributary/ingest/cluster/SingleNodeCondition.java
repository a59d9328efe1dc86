package io.tributary.ingest.cluster;

import io.tributary.ingest.replication.ReplicationEnabledCondition;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** The opposite of {@link ReplicationEnabledCondition}: {@code ingest.cluster.peers} is empty. */
class SingleNodeCondition implements Condition {

    private final Condition replicated = new ReplicationEnabledCondition();

    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
        return !replicated.matches(context, metadata);
    }
}
