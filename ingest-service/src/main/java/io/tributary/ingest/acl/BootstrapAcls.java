package io.tributary.ingest.acl;

import java.util.List;

/**
 * The built-in ACLs that reserve the services' own resources, applied on every start unless
 * {@code ingest.security.bootstrap-acls=false}. They are not stored (they cannot be deleted over
 * REST) and are listed with the stored ones. Once a binding exists on a resource, principals it
 * does not name are denied there, so these prefixes are reserved for their service:
 * <ul>
 *   <li>{@code clean-}: stream-clean's consumer groups ({@code clean-<pipeline>}) and idempotent
 *       producer names ({@code clean-<pipeline>-<source>-<partition>});</li>
 *   <li>{@code analytics-}: analytics' producer names ({@code analytics-job-<job>}, used by its
 *       result publisher) and any group it may use.</li>
 * </ul>
 * Keep in sync with {@code PipelineDefinition} (stream-clean) and {@code ResultPublisher}
 * (analytics).
 */
public final class BootstrapAcls {

    public static final String STREAM_CLEAN = "Service:stream-clean";
    public static final String ANALYTICS = "Service:analytics";
    public static final String STREAM_CLEAN_PREFIX = "clean-";
    public static final String ANALYTICS_PREFIX = "analytics-";

    private BootstrapAcls() {
    }

    public static List<AclBinding> bindings() {
        return List.of(
                all(STREAM_CLEAN, ResourceType.PRODUCER, STREAM_CLEAN_PREFIX),
                all(STREAM_CLEAN, ResourceType.GROUP, STREAM_CLEAN_PREFIX),
                all(ANALYTICS, ResourceType.PRODUCER, ANALYTICS_PREFIX),
                all(ANALYTICS, ResourceType.GROUP, ANALYTICS_PREFIX));
    }

    private static AclBinding all(String principal, ResourceType type, String prefix) {
        return new AclBinding(principal, type, PatternType.PREFIXED, prefix, Operation.ALL, Permission.ALLOW);
    }
}
