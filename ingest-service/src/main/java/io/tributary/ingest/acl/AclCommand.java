package io.tributary.ingest.acl;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * A change of the stored ACLs. On a cluster it travels as the {@code acl} field of a metadata
 * Raft entry ({@code {"op":"acl",...,"acl":{"type":"create","binding":{...}}}} or
 * {@code {"type":"delete","filter":{...}}}) and is applied by every node in log order; on a
 * single node it is applied directly. Both are idempotent: creating a present binding or
 * deleting with a filter that matches nothing changes nothing.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = AclCommand.Create.class, name = "create"),
        @JsonSubTypes.Type(value = AclCommand.Delete.class, name = "delete")})
public sealed interface AclCommand {

    /** Adds one binding. */
    record Create(AclBinding binding) implements AclCommand {
    }

    /** Removes every stored binding the filter matches. */
    record Delete(AclFilter filter) implements AclCommand {
    }
}
