package io.tributary.ingest.replication;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.stream.Stream;

import io.tributary.ingest.config.IngestProperties;
import io.tributary.ingest.log.AtomicFiles;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Conditional;
import org.springframework.stereotype.Component;

/**
 * The identity of this node's data folder: a random id drawn the first time the folder takes part
 * in the cluster, so that the cluster can tell a node that lost its disk from the node it knew.
 *
 * <p>Kept in {@code <data-dir>/node-storage-id}: one line, the id as a UUID string (e.g.
 * {@code 8d0c9a0e-4f5e-4a34-9d8c-3f1c2a7b6e10}), written atomically. A folder without that file is
 * <em>fresh</em> when it holds no Raft storage either ({@code <data-dir>/raft} missing or empty): a
 * new node, or a node whose disk was lost. A folder with Raft storage but no id file comes from a
 * version without storage ids and is not fresh; it gets an id at once.
 *
 * <p>The id of a fresh folder is only written once {@link StorageGuard} let the node in
 * ({@link #persist}): a node refused as wiped must stay fresh, and so refused, at its next start.
 */
@Component
@Conditional(ReplicationEnabledCondition.class)
public class NodeStorage {

    static final String FILE = "node-storage-id";

    private final Path file;
    private final String id;
    private final boolean fresh;
    private volatile boolean persisted;

    @Autowired
    public NodeStorage(IngestProperties props) {
        this(props.dataDir());
    }

    NodeStorage(Path dataDir) {
        this.file = dataDir.resolve(FILE);
        try {
            if (Files.exists(file)) {
                this.id = UUID.fromString(Files.readString(file, StandardCharsets.UTF_8).trim()).toString();
                this.fresh = false;
                this.persisted = true;
            } else {
                this.id = UUID.randomUUID().toString();
                this.fresh = !hasRaftStorage(dataDir.resolve("raft"));
                if (!fresh) {
                    persist();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(file + " does not hold a storage id; restore it or, for a folder that"
                    + " is really new, delete the whole data folder", e);
        }
    }

    private static boolean hasRaftStorage(Path raftDir) throws IOException {
        if (!Files.isDirectory(raftDir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(raftDir)) {
            return entries.findAny().isPresent();
        }
    }

    /** This data folder's id. */
    public String id() {
        return id;
    }

    /** True when the folder had neither an id nor Raft storage when this node started. */
    public boolean fresh() {
        return fresh;
    }

    /** Writes the id (once): from now on this folder is the node's known storage. */
    synchronized void persist() {
        if (persisted) {
            return;
        }
        try {
            Files.createDirectories(file.getParent());
            AtomicFiles.write(file, (id + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        persisted = true;
    }
}
