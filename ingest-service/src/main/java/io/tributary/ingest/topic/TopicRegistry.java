package io.tributary.ingest.topic;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import io.tributary.ingest.problem.ProblemException;
import io.tributary.problem.ProblemType;
import io.tributary.ingest.config.IngestProperties;
import io.tributary.ingest.log.LogConfig;
import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.log.ProducerStateLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Topics and their partition logs on this node. Logs live under {@code <data-dir>/logs/<topic>-<p>};
 * the topic list in {@code <data-dir>/topics.json}. Every node knows every topic, but opens a log
 * only for the partitions it hosts ({@link PartitionHosting}; on a cluster, those it holds a
 * replica of).
 *
 * <p>Topic changes (create, delete, config) are serialised by one lock; lookups are lock-free.
 */
@Component
public class TopicRegistry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TopicRegistry.class);
    public static final int MAX_PARTITIONS = 10_000;

    /**
     * A topic, its effective config and its partition logs, indexed by partition: an entry is
     * null where this node hosts no replica of the partition (see {@link #hosts}).
     */
    public record Topic(TopicMetadata metadata, LogConfig config, List<PartitionLog> partitions) {
        public String name() {
            return metadata.name();
        }

        /** True when this node keeps a log of the partition. */
        public boolean hosts(int partition) {
            return partitions.get(partition) != null;
        }

        /** The logs this node keeps, in partition order. */
        public List<PartitionLog> hostedPartitions() {
            return partitions.stream().filter(java.util.Objects::nonNull).toList();
        }
    }

    /** Hears about topics as they come and go (metrics, groups). */
    public interface Listener {
        void topicCreated(Topic topic);

        void topicDeleted(Topic topic);

        /** The partitions this node hosts of a topic changed (a reassignment on a cluster). */
        default void hostingChanged(Topic before, Topic after) {
        }
    }

    private final Path dataDir;
    private final Path logsDir;
    private final TopicMetadataStore store;
    private final int clusterSize;
    private final ScheduledExecutorService scheduler;
    private final Map<String, Topic> topics = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Object adminLock = new Object();
    private final IngestProperties.Limits limits;
    private final ProducerStateLimits producerLimits;
    private final AtomicLong producerStateExpired = new AtomicLong();
    private final AtomicLong producerStateEvicted = new AtomicLong();
    private final PartitionHosting hosting;

    /** A registry that hosts every partition (a single node; tests). */
    public TopicRegistry(IngestProperties props) {
        this(props, PartitionHosting.ALL);
    }

    @Autowired
    public TopicRegistry(IngestProperties props, PartitionHosting hosting) {
        this.hosting = hosting;
        this.dataDir = props.dataDir().toAbsolutePath().normalize();
        this.logsDir = dataDir.resolve("logs");
        this.store = new TopicMetadataStore(dataDir);
        // Members of the cluster (ingest.cluster.peers, id=host:httpPort:raftPort,...); empty = one node.
        this.limits = props.limits();
        this.clusterSize = props.cluster().peers().isBlank() ? 1
                : (int) java.util.Arrays.stream(props.cluster().peers().split(",")).filter(s -> !s.isBlank()).count();
        // The same bounds for every partition of the node; the listener feeds LogMetrics' counters.
        this.producerLimits = new ProducerStateLimits(limits.producerStateRetention(),
                limits.maxProducersPerPartition(), new ProducerStateLimits.Listener() {
                    @Override
                    public void expired(int count) {
                        producerStateExpired.addAndGet(count);
                    }

                    @Override
                    public void evicted() {
                        producerStateEvicted.incrementAndGet();
                    }
                });
        this.scheduler = Executors.newScheduledThreadPool(2,
                Thread.ofPlatform().name("log-maintenance").daemon().factory());
        open();
    }

    private void open() {
        try {
            Files.createDirectories(logsDir);
            removeDeletedTopicDirs();
            boolean assigned = false;
            for (TopicMetadata meta : store.load()) {
                if (meta.topicId() == null) {
                    // From before topic ids: assign one once. On a cluster every node must derive
                    // the same one, from what they share (name and incarnation); see TopicIds.
                    meta = meta.withTopicId(clusterSize > 1 ? TopicIds.derived(meta.name(), meta.incarnation())
                            : TopicIds.random());
                    assigned = true;
                }
                topics.put(meta.name(), openTopic(meta));
            }
            if (assigned) {
                persist();
            }
            log.info("opened {} topics under {}", topics.size(), dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open data folder " + dataDir, e);
        }
    }

    private Topic openTopic(TopicMetadata meta) throws IOException {
        LogConfig config = LogConfig.from(meta.configs());
        PartitionLog[] logs = new PartitionLog[meta.partitions()];
        for (int p = 0; p < meta.partitions(); p++) {
            if (hosting.hosts(meta, p)) {
                TopicPartition tp = new TopicPartition(meta.name(), p);
                logs[p] = PartitionLog.open(meta.name(), p, logsDir.resolve(tp.dirName()), config, producerLimits,
                        scheduler);
            }
        }
        return new Topic(meta, config, Collections.unmodifiableList(Arrays.asList(logs)));
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Idempotent-producer entries the partitions of this node forgot because they were idle too long. */
    public long producerStateExpired() {
        return producerStateExpired.get();
    }

    /** Idempotent-producer entries the partitions of this node forgot to make room for a new producer id. */
    public long producerStateEvicted() {
        return producerStateEvicted.get();
    }

    /** The shared scheduler for log housekeeping. */
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
        topics.values().forEach(listener::topicCreated);
    }

    /**
     * Creates a topic.
     *
     * @throws InvalidTopicException  bad name, partition count or replication factor
     * @throws TopicExistsException   a topic of that name exists
     * @throws LogConfig.InvalidConfigException a bad config
     */
    public Topic create(String name, int partitions, int replicationFactor, Map<String, String> configs) {
        synchronized (adminLock) {
            checkPartitionLimits(partitions);
            return create(name, partitions, replicationFactor, configs, 0, TopicIds.random(), null);
        }
    }

    /**
     * The node-wide caps on partitions, checked by a client's create (single node: under the admin
     * lock; cluster: before proposing, so the replicated apply never refuses).
     *
     * @throws InvalidTopicException more than {@code ingest.limits.max-partitions-per-topic}
     * @throws ProblemException      LIMIT_REACHED: the node would hold more than {@code ingest.limits.max-partitions}
     */
    public void checkPartitionLimits(int partitions) {
        if (partitions > limits.maxPartitionsPerTopic()) {
            throw new InvalidTopicException("partitions must be at most " + limits.maxPartitionsPerTopic()
                    + " (ingest.limits.max-partitions-per-topic), was " + partitions);
        }
        long total = partitionCount();
        if (total + partitions > limits.maxPartitions()) {
            throw new ProblemException(ProblemType.LIMIT_REACHED, "the node holds " + total + " partitions; "
                    + partitions + " more would exceed ingest.limits.max-partitions (" + limits.maxPartitions() + ")",
                    Map.of("limit", "ingest.limits.max-partitions"));
        }
    }

    /** Partitions of every topic on the node (gauge {@code ingest.partitions}). */
    public int partitionCount() {
        int n = 0;
        for (Topic t : topics.values()) {
            n += t.partitions().size();
        }
        return n;
    }

    /**
     * {@link #create} with an incarnation and a topic id (see {@link TopicMetadata#incarnation()}
     * and {@link TopicMetadata#topicId()}).
     */
    public Topic create(String name, int partitions, int replicationFactor, Map<String, String> configs,
                        long incarnation, String topicId) {
        return create(name, partitions, replicationFactor, configs, incarnation, topicId, null);
    }

    /**
     * {@link #create} with where each partition's replicas live, as a cluster's metadata entry says
     * (null: the placement computed from the peer list). With assignments the replication factor is
     * not checked against this node's peer list: the node that decided them checked it against the
     * members it knew.
     */
    public Topic create(String name, int partitions, int replicationFactor, Map<String, String> configs,
                        long incarnation, String topicId, List<PartitionAssignment> assignments) {
        TopicNames.validate(name);
        if (TopicNames.isInternal(name)) {
            throw new InvalidTopicException("topic names starting with '" + TopicNames.INTERNAL_PREFIX
                    + "' are reserved for the service");
        }
        if (assignments != null && assignments.size() != partitions) {
            throw new InvalidTopicException(assignments.size() + " assignments for " + partitions + " partitions");
        }
        return createTopic(name, partitions, replicationFactor, configs, incarnation, topicId, assignments);
    }

    /** Creates a service-owned topic if missing (e.g. {@code __consumer_offsets}). */
    public Topic ensureInternal(String name, int partitions, Map<String, String> configs) {
        return ensureInternal(name, partitions, 1, configs);
    }

    /** Creates a service-owned topic with that replication factor if missing. */
    public Topic ensureInternal(String name, int partitions, int replicationFactor, Map<String, String> configs) {
        Topic existing = topics.get(name);
        return existing != null ? existing
                : createTopic(name, partitions, replicationFactor, configs, 0, TopicIds.derived(name, 0), null);
    }

    private Topic createTopic(String name, int partitions, int replicationFactor, Map<String, String> configs,
                              long incarnation, String topicId, List<PartitionAssignment> assignments) {
        if (partitions < 1 || partitions > MAX_PARTITIONS) {
            throw new InvalidTopicException("partitions must be between 1 and " + MAX_PARTITIONS + ", was " + partitions);
        }
        if (replicationFactor < 1 || assignments == null && replicationFactor > clusterSize) {
            throw new InvalidTopicException("replicationFactor must be between 1 and the number of nodes ("
                    + clusterSize + "), was " + replicationFactor);
        }
        Map<String, String> overrides = configs == null ? Map.of() : configs;
        overrides.forEach((key, value) -> {
            if (value == null) {
                // Only a config change may use null (to reset a key); a new topic has nothing to reset.
                throw new LogConfig.InvalidConfigException(key, "must have a value; leave it out for the default");
            }
        });
        LogConfig.from(overrides); // validates before anything touches the disk
        java.util.Objects.requireNonNull(topicId, "topicId");
        synchronized (adminLock) {
            if (topics.containsKey(name)) {
                throw new TopicExistsException(name);
            }
            TopicMetadata meta = new TopicMetadata(name, partitions, replicationFactor, overrides,
                    System.currentTimeMillis(), incarnation, topicId, assignments);
            Topic topic;
            try {
                // A crash between creating the directories and saving topics.json can leave
                // partition directories nobody owns; never let them leak into a new topic.
                for (int p = 0; p < partitions; p++) {
                    deleteQuietly(logsDir.resolve(new TopicPartition(name, p).dirName()));
                }
                topic = openTopic(meta);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create topic " + name, e);
            }
            topics.put(name, topic);
            persist();
            listeners.forEach(l -> l.topicCreated(topic));
            log.info("created topic {} with {} partitions and configs {}", name, partitions, overrides);
            return topic;
        }
    }

    public Collection<Topic> list() {
        return topics.values().stream().sorted(Comparator.comparing(Topic::name)).toList();
    }

    /** @throws UnknownTopicException when there is no such topic */
    public Topic get(String name) {
        Topic topic = topics.get(name);
        if (topic == null) {
            throw UnknownTopicException.topic(name);
        }
        return topic;
    }

    public boolean exists(String name) {
        return topics.containsKey(name);
    }

    /** The topic whose {@link TopicMetadata#topicId() id} this is, or null (none, or not known here yet). */
    public Topic byId(String topicId) {
        for (Topic t : topics.values()) {
            if (topicId.equals(t.metadata().topicId())) {
                return t;
            }
        }
        return null;
    }

    /**
     * The topic, once the partition is known to exist (hosted here or not).
     *
     * @throws UnknownTopicException when there is no such topic or partition
     */
    public Topic checkPartition(String topic, int partition) {
        Topic t = get(topic);
        if (partition < 0 || partition >= t.partitions().size()) {
            throw UnknownTopicException.partition(topic, partition, t.partitions().size());
        }
        return t;
    }

    /**
     * This node's log of a partition.
     *
     * @throws UnknownTopicException when there is no such topic or partition
     * @throws ProblemException      PARTITION_NOT_HOSTED (503, retriable) when this node holds no
     *                               replica of it: ask one that does
     */
    public PartitionLog partition(String topic, int partition) {
        PartitionLog log = checkPartition(topic, partition).partitions().get(partition);
        if (log == null) {
            throw new ProblemException(ProblemType.PARTITION_NOT_HOSTED, "this node holds no replica of " + topic
                    + "-" + partition + "; ask a node that does (see the topic's replicas)");
        }
        return log;
    }

    /**
     * Changes topic config overrides; a null value removes an override (back to the default).
     * Applies to every partition at once.
     */
    public Topic updateConfigs(String name, Map<String, String> changes) {
        synchronized (adminLock) {
            checkConfigChange(get(name), changes);
            return applyConfigs(name, changes);
        }
    }

    /**
     * Checks a config change before it is made (or proposed, on a cluster): known keys, valid values, a change
     * {@link LogConfig#checkChange} allows.
     *
     * @throws LogConfig.InvalidConfigException what is wrong with it
     */
    public static void checkConfigChange(Topic topic, Map<String, String> changes) {
        LogConfig.checkChange(topic.config(), LogConfig.from(mergeConfigs(topic.metadata().configs(), changes)));
    }

    /**
     * The topic's config overrides after {@code changes} (a null value removes a key).
     *
     * @throws LogConfig.InvalidConfigException an unknown key
     */
    public static Map<String, String> mergeConfigs(Map<String, String> current, Map<String, String> changes) {
        Map<String, String> merged = new HashMap<>(current);
        changes.forEach((k, v) -> {
            if (!LogConfig.KEYS.contains(k)) {
                // Checked here because a null value never reaches LogConfig.from's key check.
                throw new LogConfig.InvalidConfigException(k, "is not a topic config; known keys are "
                        + LogConfig.KEYS);
            }
            if (v == null) {
                merged.remove(k);
            } else {
                merged.put(k, v);
            }
        });
        return merged;
    }

    /**
     * {@link #updateConfigs} without the checks of a change that only the proposer makes (a cluster
     * checks before it replicates: an apply must not refuse what a majority has logged).
     */
    public Topic applyConfigs(String name, Map<String, String> changes) {
        synchronized (adminLock) {
            Topic topic = get(name);
            Map<String, String> merged = mergeConfigs(topic.metadata().configs(), changes);
            LogConfig config = LogConfig.from(merged);
            Topic updated = new Topic(topic.metadata().withConfigs(merged), config, topic.partitions());
            topic.hostedPartitions().forEach(p -> p.updateConfig(config));
            topics.put(name, updated);
            persist();
            return updated;
        }
    }

    /**
     * Stores where a topic's partition replicas live (a reassignment, on a cluster) and opens or
     * removes this node's logs to match: a partition newly placed here gets an empty log (its Raft
     * group fills it), one placed here no more is closed and its files deleted. The caller has
     * already left the Raft group of a partition that leaves this node.
     *
     * @return the topic as it is now
     */
    public Topic setAssignments(String name, List<PartitionAssignment> assignments) {
        synchronized (adminLock) {
            Topic topic = get(name);
            TopicMetadata meta = topic.metadata().withAssignments(assignments);
            PartitionLog[] logs = topic.partitions().toArray(new PartitionLog[0]);
            List<PartitionLog> removed = new ArrayList<>();
            try {
                for (int p = 0; p < logs.length; p++) {
                    boolean hosted = hosting.hosts(meta, p);
                    if (hosted && logs[p] == null) {
                        Path dir = logsDir.resolve(new TopicPartition(name, p).dirName());
                        deleteQuietly(dir); // left by an earlier replica of this node: never mixed in
                        logs[p] = PartitionLog.open(name, p, dir, topic.config(), producerLimits, scheduler);
                        log.info("now hosting a replica of {}-{}", name, p);
                    } else if (!hosted && logs[p] != null) {
                        removed.add(logs[p]);
                        logs[p] = null;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open a new replica of " + name, e);
            }
            Topic updated = new Topic(meta, topic.config(), Collections.unmodifiableList(Arrays.asList(logs)));
            topics.put(name, updated);
            persist();
            listeners.forEach(l -> l.hostingChanged(topic, updated));
            for (PartitionLog p : removed) {
                removeFiles(p);
                log.info("no longer hosting a replica of {}-{}", name, p.partition());
            }
            return updated;
        }
    }

    /** Deletes a topic and all its data. */
    public void delete(String name) {
        synchronized (adminLock) {
            Topic topic = get(name);
            if (topic.metadata().internal()) {
                throw new InvalidTopicException("internal topic " + name + " cannot be deleted");
            }
            topics.remove(name);
            persist();
            listeners.forEach(l -> l.topicDeleted(topic));
            topic.hostedPartitions().forEach(this::removeFiles);
            log.info("deleted topic {}", name);
        }
    }

    /** Closes a partition log and deletes its files. */
    private void removeFiles(PartitionLog p) {
        try {
            // Rename first so a crash mid-delete never resurrects a half-deleted partition.
            Path doomed = p.dir().resolveSibling(p.dir().getFileName() + "." + UUID.randomUUID() + "-delete");
            p.close();
            Files.move(p.dir(), doomed);
            scheduler.execute(() -> deleteQuietly(doomed));
        } catch (IOException e) {
            log.warn("could not remove files of {}", p, e);
        }
    }

    private void persist() {
        store.save(topics.values().stream().map(Topic::metadata).sorted(Comparator.comparing(TopicMetadata::name))
                .toList());
    }

    private void removeDeletedTopicDirs() throws IOException {
        try (Stream<Path> dirs = Files.list(logsDir)) {
            dirs.filter(d -> d.getFileName().toString().endsWith("-delete")).forEach(TopicRegistry::deleteQuietly);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("could not delete {}", dir, e);
        }
    }

    /** Closes every log cleanly (flush, indexes, producer snapshots, clean-shutdown markers). */
    @Override
    public void close() {
        scheduler.shutdownNow();
        for (Topic t : topics.values()) {
            for (PartitionLog p : t.hostedPartitions()) {
                try {
                    p.close();
                } catch (IOException | RuntimeException e) {
                    log.warn("could not close {} cleanly; it will be recovered at the next start", p, e);
                }
            }
        }
        log.info("closed all logs");
    }
}
