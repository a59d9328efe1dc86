package io.tributary.ingest.acl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

import io.tributary.ingest.config.IngestProperties;
import io.tributary.ingest.log.AtomicFiles;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * The ACLs of this node: the stored bindings, kept in {@code <data-dir>/acls.json}, plus the
 * {@link BootstrapAcls} when enabled.
 *
 * <p>File format: {@code {"version":1,"acls":[{"principal":"User:a","resourceType":"TOPIC",
 * "patternType":"LITERAL","name":"orders","operation":"READ","permission":"ALLOW"},...]}},
 * rewritten atomically (temp file, fsync, rename) after every change and before the change is
 * answered. On a cluster every node changes it only by applying the metadata group's ACL
 * entries (see {@code MetadataStateMachine}), so all nodes hold the same set, and entries already
 * applied before a restart are not applied again (they are in this file).
 */
@Component
public class AclStore {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    record StoredAcls(int version, List<AclBinding> acls) {
    }

    private final Path file;
    private final List<AclBinding> bootstrap;
    private volatile List<AclBinding> stored;
    private volatile List<AclBinding> all;

    public AclStore(IngestProperties props, AclProperties settings) {
        this.file = props.dataDir().toAbsolutePath().resolve("acls.json");
        this.bootstrap = settings.bootstrapAcls() ? BootstrapAcls.bindings() : List.of();
        List<AclBinding> loaded = List.of();
        try {
            if (Files.exists(file)) {
                StoredAcls s = JSON.readValue(Files.readAllBytes(file), StoredAcls.class);
                loaded = s.acls() == null ? List.of() : List.copyOf(s.acls());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        publish(loaded);
    }

    /** Stored and bootstrap bindings, as the authorizer sees them. */
    public List<AclBinding> all() {
        return all;
    }

    public List<AclBinding> stored() {
        return stored;
    }

    public List<AclBinding> bootstrap() {
        return bootstrap;
    }

    /** Applies a change and persists it; answers the bindings it added or removed. */
    public synchronized List<AclBinding> apply(AclCommand command) {
        if (command instanceof AclCommand.Create c) {
            if (stored.contains(c.binding())) {
                return List.of();
            }
            List<AclBinding> next = new ArrayList<>(stored);
            next.add(c.binding());
            persist(next);
            return List.of(c.binding());
        }
        AclFilter filter = ((AclCommand.Delete) command).filter();
        List<AclBinding> removed = stored.stream().filter(filter::matches).toList();
        if (!removed.isEmpty()) {
            List<AclBinding> next = new ArrayList<>(stored);
            next.removeAll(removed);
            persist(next);
        }
        return removed;
    }

    private void persist(List<AclBinding> next) {
        try {
            Files.createDirectories(file.getParent());
            AtomicFiles.write(file, JSON.writeValueAsBytes(new StoredAcls(1, next)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        publish(next);
    }

    private void publish(List<AclBinding> next) {
        this.stored = List.copyOf(next);
        LinkedHashSet<AclBinding> both = new LinkedHashSet<>(bootstrap);
        both.addAll(next);
        this.all = List.copyOf(both);
    }
}
