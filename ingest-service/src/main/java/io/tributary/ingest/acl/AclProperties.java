package io.tributary.ingest.acl;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Authorization settings, under {@code ingest.security.*} (the identity settings share the
 * prefix). See {@code docs/security.md}, "Authorization (ACLs)".
 *
 * @param superUsers                 principals allowed everything, ACLs or not, except the
 *                                   internal-topic rule; an entry {@code Type:*} covers every
 *                                   principal of that type (e.g. {@code Node:*}, the ingest peers)
 * @param allowEveryoneIfNoAclFound  whether a resource without any ACL is open to everyone;
 *                                   unset: true in the default (development) profile only, false
 *                                   as soon as any profile is active
 * @param bootstrapAcls              apply the built-in ACLs that reserve the services' producer
 *                                   names and groups ({@link BootstrapAcls}) on every start
 */
@ConfigurationProperties("ingest.security")
public record AclProperties(
        @DefaultValue({"Service:stream-clean", "Service:analytics", "Node:*"}) List<String> superUsers,
        Boolean allowEveryoneIfNoAclFound,
        @DefaultValue("true") boolean bootstrapAcls) {
}
