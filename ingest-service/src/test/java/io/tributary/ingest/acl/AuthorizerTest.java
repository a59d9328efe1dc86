package io.tributary.ingest.acl;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static io.tributary.ingest.acl.Operation.ALL;
import static io.tributary.ingest.acl.Operation.ALTER;
import static io.tributary.ingest.acl.Operation.CREATE;
import static io.tributary.ingest.acl.Operation.DELETE;
import static io.tributary.ingest.acl.Operation.DESCRIBE;
import static io.tributary.ingest.acl.Operation.READ;
import static io.tributary.ingest.acl.Operation.WRITE;
import static io.tributary.ingest.acl.PatternType.LITERAL;
import static io.tributary.ingest.acl.PatternType.PREFIXED;
import static io.tributary.ingest.acl.Permission.ALLOW;
import static io.tributary.ingest.acl.Permission.DENY;
import static io.tributary.ingest.acl.ResourceType.CLUSTER;
import static io.tributary.ingest.acl.ResourceType.GROUP;
import static io.tributary.ingest.acl.ResourceType.PRODUCER;
import static io.tributary.ingest.acl.ResourceType.TOPIC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuthorizerTest {

    private final List<AclBinding> acls = new ArrayList<>();
    private boolean allowEveryone = false;
    private final Authorizer authorizer = new Authorizer(List.of("Service:stream-clean", "Node:*"),
            () -> allowEveryone, () -> acls);

    private static AclBinding acl(String principal, ResourceType type, PatternType pattern, String name,
                                  Operation op, Permission permission) {
        return new AclBinding(principal, type, pattern, name, op, permission);
    }

    private boolean may(String principal, ResourceType type, String name, Operation op) {
        return authorizer.authorize(principal, false, type, name, op).allowed();
    }

    private boolean adminMay(ResourceType type, String name, Operation op) {
        return authorizer.authorize("User:ops", true, type, name, op).allowed();
    }

    @Test
    void noAclFoundFollowsTheSetting() {
        assertThat(may("User:a", TOPIC, "orders", WRITE)).isFalse();
        allowEveryone = true;
        assertThat(may("User:a", TOPIC, "orders", WRITE)).isTrue();
        // any binding on the resource, even for someone else, closes it to the others
        acls.add(acl("User:b", TOPIC, LITERAL, "orders", READ, ALLOW));
        assertThat(may("User:a", TOPIC, "orders", WRITE)).isFalse();
        assertThat(may("User:b", TOPIC, "orders", READ)).isTrue();
        assertThat(may("User:b", TOPIC, "orders", WRITE)).isFalse();
        assertThat(may("User:a", TOPIC, "payments", WRITE)).isTrue();
    }

    @Test
    void denyWinsOverAllow() {
        acls.add(acl("*", TOPIC, PREFIXED, "orders", ALL, ALLOW));
        acls.add(acl("User:mallory", TOPIC, LITERAL, "orders.eu", WRITE, DENY));
        assertThat(may("User:a", TOPIC, "orders.eu", WRITE)).isTrue();
        assertThat(may("User:mallory", TOPIC, "orders.eu", WRITE)).isFalse();
        assertThat(may("User:mallory", TOPIC, "orders.eu", READ)).isTrue();
        assertThat(may("User:mallory", TOPIC, "orders.us", WRITE)).isTrue();
        acls.add(acl("*", TOPIC, LITERAL, "*", ALL, DENY));
        assertThat(may("User:a", TOPIC, "orders.eu", READ)).isFalse();
    }

    @Test
    void prefixedAndWildcardPatterns() {
        acls.add(acl("User:a", TOPIC, PREFIXED, "orders.", READ, ALLOW));
        acls.add(acl("User:b", GROUP, LITERAL, "*", READ, ALLOW));
        assertThat(may("User:a", TOPIC, "orders.eu", READ)).isTrue();
        assertThat(may("User:a", TOPIC, "orders", READ)).isFalse();
        assertThat(may("User:b", GROUP, "anything", READ)).isTrue();
        assertThat(may("User:b", GROUP, "anything", DELETE)).isFalse();
        // a literal * name is a wildcard only for LITERAL; a PREFIXED "*" is the prefix "*"
        acls.add(acl("User:c", PRODUCER, PREFIXED, "*", WRITE, ALLOW));
        assertThat(may("User:c", PRODUCER, "x", WRITE)).isFalse();
        assertThat(may("User:c", PRODUCER, "*x", WRITE)).isTrue();
    }

    @Test
    void describeIsImpliedByReadWriteDeleteAlterButDenyDescribeIsNotOverridden() {
        for (Operation op : List.of(READ, WRITE, DELETE, ALTER)) {
            acls.clear();
            acls.add(acl("User:a", TOPIC, LITERAL, "t", op, ALLOW));
            assertThat(may("User:a", TOPIC, "t", DESCRIBE)).as("DESCRIBE from %s", op).isTrue();
        }
        acls.clear();
        acls.add(acl("User:a", TOPIC, LITERAL, "t", CREATE, ALLOW));
        assertThat(may("User:a", TOPIC, "t", DESCRIBE)).isFalse();
        acls.add(acl("User:a", TOPIC, LITERAL, "t", READ, ALLOW));
        acls.add(acl("User:a", TOPIC, LITERAL, "t", DESCRIBE, DENY));
        assertThat(may("User:a", TOPIC, "t", DESCRIBE)).isFalse();
        assertThat(may("User:a", TOPIC, "t", READ)).isTrue();
    }

    @Test
    void superUsersAreAllowedEverythingEvenWhenDenied() {
        acls.add(acl("*", TOPIC, LITERAL, "*", ALL, DENY));
        assertThat(may("Service:stream-clean", TOPIC, "orders", WRITE)).isTrue();
        assertThat(may("Node:3", TOPIC, "orders", READ)).isTrue();
        assertThat(may("Service:analytics", TOPIC, "orders", READ)).isFalse();
        assertThat(may("User:Node", TOPIC, "orders", READ)).isFalse();
    }

    @Test
    void theAdminRoleAdministersTheClusterButDoesNotReadOrWriteData() {
        assertThat(adminMay(CLUSTER, ResourceType.CLUSTER_NAME, ALTER)).isTrue();
        assertThat(adminMay(TOPIC, "orders", CREATE)).isTrue();
        assertThat(adminMay(TOPIC, "orders", ALTER)).isTrue();
        assertThat(adminMay(TOPIC, "orders", DELETE)).isTrue();
        assertThat(adminMay(GROUP, "g", DESCRIBE)).isTrue();
        assertThat(adminMay(TOPIC, "orders", WRITE)).isFalse();
        assertThat(adminMay(GROUP, "g", READ)).isFalse();
        assertThat(adminMay(PRODUCER, "p", WRITE)).isFalse();
        assertThat(adminMay(TOPIC, "__consumer_offsets", READ)).isTrue();
        // an explicit DENY holds against the role
        acls.add(acl("User:ops", TOPIC, PREFIXED, "pay", DELETE, DENY));
        assertThat(adminMay(TOPIC, "payments", DELETE)).isFalse();
        // the role is not the user: without it the same user has only what ACLs give
        assertThat(may("User:ops", CLUSTER, ResourceType.CLUSTER_NAME, ALTER)).isFalse();
    }

    @Test
    void internalTopicsAreNeverChangedThroughTheApi() {
        allowEveryone = true;
        acls.add(acl("*", TOPIC, LITERAL, "*", ALL, ALLOW));
        for (Operation op : List.of(WRITE, CREATE, ALTER, DELETE)) {
            Decision d = authorizer.authorize("Service:stream-clean", true, TOPIC, "__consumer_offsets", op);
            assertThat(d.allowed()).as("%s", op).isFalse();
            assertThat(d.reason()).isEqualTo(Decision.INTERNAL_TOPIC_RULE);
        }
        assertThat(may("Service:stream-clean", TOPIC, "__consumer_offsets", READ)).isTrue();
        assertThat(adminMay(TOPIC, "__consumer_offsets", DESCRIBE)).isTrue();
    }

    @Test
    void allIsNotARequestOperation() {
        assertThatThrownBy(() -> may("User:a", TOPIC, "t", ALL)).isInstanceOf(IllegalArgumentException.class);
    }
}
