package io.tributary.ingest.acl;

import java.util.Arrays;
import java.util.Collection;
import java.util.TreeSet;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.ingest.security.Principals;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The authorization checks the API calls: who the request comes from ({@link Principals}),
 * what the {@link Authorizer} says over this node's {@link AclStore}, and a 403 problem plus the
 * {@code ingest.authorization.denials} counter (tags {@code resourceType}, {@code operation})
 * when it says no.
 */
@Component
public class AccessControl {

    private static final Logger log = LoggerFactory.getLogger(AccessControl.class);

    private final Authorizer authorizer;
    private final MeterRegistry meters;
    private final boolean allowEveryoneIfNoAclFound;

    public AccessControl(AclStore store, AclProperties settings, Environment env, MeterRegistry meters) {
        this.allowEveryoneIfNoAclFound = settings.allowEveryoneIfNoAclFound() != null
                ? settings.allowEveryoneIfNoAclFound()
                : env.getActiveProfiles().length == 0 || Arrays.asList(env.getActiveProfiles()).contains("default");
        this.authorizer = new Authorizer(settings.superUsers(), () -> allowEveryoneIfNoAclFound, store::all);
        this.meters = meters;
        log.info("authorization: allow-everyone-if-no-acl-found={}, super users {}, bootstrap ACLs {}",
                allowEveryoneIfNoAclFound, settings.superUsers(), settings.bootstrapAcls() ? "on" : "off");
    }

    public boolean allowEveryoneIfNoAclFound() {
        return allowEveryoneIfNoAclFound;
    }

    /** Throws a 403 {@link AuthorizationFailedException} unless the request's principal may do it. */
    public void require(HttpServletRequest request, ResourceType type, String name, Operation op) {
        String principal = Principals.of(request);
        Decision d = authorizer.authorize(principal, Principals.isAdmin(request), type, name, op);
        if (!d.allowed()) {
            denied(principal, type, name, op, d);
            throw new AuthorizationFailedException(principal, op, type, name, d);
        }
    }

    private void denied(String principal, ResourceType type, String name, Operation op, Decision d) {
        Counter.builder("ingest.authorization.denials")
                .description("Requests refused by the authorizer")
                .tag("resourceType", type.name())
                .tag("operation", op.name())
                .register(meters)
                .increment();
        log.debug("denied {} {} on {} {}: {}", principal, op, type, name, d.reason());
    }

    /** Creating a topic: CLUSTER CREATE, or TOPIC CREATE on its name (as in Kafka). */
    public void requireTopicCreate(HttpServletRequest request, String topic) {
        if (!permits(request, ResourceType.CLUSTER, ResourceType.CLUSTER_NAME, Operation.CREATE)) {
            require(request, ResourceType.TOPIC, topic, Operation.CREATE);
        }
    }

    /** Reading each of the topics (a group join's subscription, a commit's partitions). */
    public void requireTopicsRead(HttpServletRequest request, Collection<String> topics) {
        for (String topic : new TreeSet<>(topics)) {
            require(request, ResourceType.TOPIC, topic, Operation.READ);
        }
    }

    /** Taking over or writing as a named idempotent producer: PRODUCER WRITE on the name. */
    public void requireProducer(HttpServletRequest request, String producerName) {
        require(request, ResourceType.PRODUCER, producerName, Operation.WRITE);
    }

    /** Whether a list answer may show the resource: DESCRIBE on it. */
    public boolean canDescribe(HttpServletRequest request, ResourceType type, String name) {
        return permits(request, type, name, Operation.DESCRIBE);
    }

    /**
     * Whether {@code principal} (a client of the Kafka listener, which carries no roles) may do it;
     * a refusal is counted like an HTTP one unless {@code quiet} (list filtering).
     */
    public boolean permits(String principal, ResourceType type, String name, Operation op, boolean quiet) {
        Decision d = authorizer.authorize(principal, false, type, name, op);
        if (!d.allowed() && !quiet) {
            denied(principal, type, name, op, d);
        }
        return d.allowed();
    }

    /** Whether the request's principal may do it, without counting a denial (list filtering). */
    public boolean permits(HttpServletRequest request, ResourceType type, String name, Operation op) {
        return authorizer.authorize(Principals.of(request), Principals.isAdmin(request), type, name, op).allowed();
    }
}
