package io.tributary.ingest.replication;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import io.tributary.ingest.config.IngestProperties;
import io.tributary.ingest.log.AtomicFiles;
import org.springframework.context.annotation.Conditional;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * The nodes of the cluster now: the founding peers ({@code ingest.cluster.peers}, which never
 * change and still fix the computed placement of partitions that were never moved), plus the nodes
 * added since, minus the nodes removed since. Changed only by the metadata group's {@code add-node}
 * and {@code remove-node} entries, so every node holds the same list at the same log position.
 *
 * <p>Kept in {@code <data-dir>/cluster-members.json}, replaced atomically on each change:
 * <pre>{@code
 * {"added":[{"id":3,"host":"ingest-3","httpPort":8081,"raftPort":9081,"kafkaPort":9092}],"removed":[0],
 *  "storage":{"1":"8d0c9a0e-4f5e-4a34-9d8c-3f1c2a7b6e10"}}
 * }</pre>
 * {@code kafkaPort} is left out for a node added without one, and in files written before nodes could
 * be added with one.
 * {@code storage} maps a node id to the storage id its data folder registered ({@code register-storage},
 * see {@link StorageGuard}); files written before storage ids have none.
 * The metadata replay rule (see MetadataStateMachine) covers it like {@code topics.json}: an entry
 * applied again leaves the same file.
 */
@Component
@Conditional(ReplicationEnabledCondition.class)
public class ClusterMembers {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The file's shape. */
    record Changes(List<ClusterPeers.Peer> added, List<Integer> removed, Map<Integer, String> storage) {
        Changes {
            added = added == null ? List.of() : List.copyOf(added);
            removed = removed == null ? List.of() : List.copyOf(removed);
            storage = storage == null ? Map.of() : Map.copyOf(storage);
        }
    }

    private final ClusterPeers founders;
    private final ClusterPeers.Peer self;
    private final Path file;
    private volatile Changes changes;
    private volatile ClusterPeers current;

    public ClusterMembers(IngestProperties props) {
        this.founders = ClusterPeers.parse(props.cluster().peers());
        this.file = props.dataDir().resolve("cluster-members.json");
        this.changes = load(file);
        this.current = compute(founders, changes);
        ClusterPeers.Peer found = founders.find(props.nodeId()).orElse(null);
        if (found == null) {
            found = joiner(props.nodeId(), props.cluster().selfAddress(), props.cluster().peers());
        }
        this.self = found;
    }

    /**
     * A node that is not a founder: its address comes from {@code ingest.cluster.self-address}, read as a
     * peer-list entry (so with an optional Kafka port).
     */
    private static ClusterPeers.Peer joiner(int id, String selfAddress, String peers) {
        if (selfAddress == null || selfAddress.isBlank()) {
            throw new IllegalStateException("ingest.node-id " + id + " is not among ingest.cluster.peers " + peers
                    + "; a node added to a running cluster needs "
                    + "ingest.cluster.self-address=host:httpPort:raftPort[:kafkaPort[:replicaPort]]");
        }
        try {
            return ClusterPeers.parse(id + "=" + selfAddress.trim()).peers().get(0);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("ingest.cluster.self-address: expected host:httpPort:raftPort[:kafkaPort[:replicaPort]], "
                    + "got '" + selfAddress + "'", e);
        }
    }

    /** The founding peers (the computed placement's basis). */
    public ClusterPeers founders() {
        return founders;
    }

    /** This node. */
    public ClusterPeers.Peer self() {
        return self;
    }

    /** True when this node is among the founding peers (it starts in the metadata group). */
    public boolean founder() {
        return founders.find(self.id()).isPresent();
    }

    /** The members now, in id order. */
    public ClusterPeers current() {
        return current;
    }

    /** Adds a member (idempotent for the same address). */
    synchronized void add(ClusterPeers.Peer peer) {
        List<ClusterPeers.Peer> added = new ArrayList<>(changes.added());
        added.removeIf(p -> p.id() == peer.id());
        added.add(peer);
        List<Integer> removed = new ArrayList<>(changes.removed());
        removed.remove(Integer.valueOf(peer.id()));
        save(new Changes(added, removed, changes.storage()));
    }

    /** Records the storage id a node's data folder registered (replacing an earlier one). */
    synchronized void registerStorage(int id, String storageId) {
        Map<Integer, String> storage = new TreeMap<>(changes.storage());
        storage.put(id, storageId);
        save(new Changes(changes.added(), changes.removed(), storage));
    }

    /** The storage id registered for a node, or null (never registered, or removed since). */
    public String storageOf(int id) {
        return changes.storage().get(id);
    }

    /** True when the node is a member now. */
    public boolean isMember(int id) {
        return current.find(id).isPresent();
    }

    /** Removes a member (idempotent); its registered storage is forgotten, so the id may be used afresh. */
    synchronized void remove(int id) {
        List<ClusterPeers.Peer> added = new ArrayList<>(changes.added());
        added.removeIf(p -> p.id() == id);
        Set<Integer> removed = new TreeSet<>(changes.removed());
        if (founders.find(id).isPresent()) {
            removed.add(id);
        }
        Map<Integer, String> storage = new TreeMap<>(changes.storage());
        storage.remove(id);
        save(new Changes(added, List.copyOf(removed), storage));
    }

    private void save(Changes next) {
        try {
            Files.createDirectories(file.getParent());
            AtomicFiles.write(file, JSON.writeValueAsBytes(next));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        changes = next;
        current = compute(founders, next);
    }

    private static ClusterPeers compute(ClusterPeers founders, Changes changes) {
        List<ClusterPeers.Peer> out = new ArrayList<>();
        for (ClusterPeers.Peer p : founders.peers()) {
            if (!changes.removed().contains(p.id()) && changes.added().stream().noneMatch(a -> a.id() == p.id())) {
                out.add(p);
            }
        }
        out.addAll(changes.added());
        return new ClusterPeers(out);
    }

    private static Changes load(Path file) {
        if (!Files.exists(file)) {
            return new Changes(List.of(), List.of(), Map.of());
        }
        try {
            return JSON.readValue(Files.readAllBytes(file), Changes.class);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }
}
