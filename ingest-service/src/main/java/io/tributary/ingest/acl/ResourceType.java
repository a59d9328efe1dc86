package io.tributary.ingest.acl;

/** What an ACL protects: a topic, a consumer group, an idempotent producer's name, or the cluster itself. */
public enum ResourceType {
    TOPIC, GROUP, PRODUCER, CLUSTER;

    /** The single name of the {@link #CLUSTER} resource. */
    public static final String CLUSTER_NAME = "tributary";
}
