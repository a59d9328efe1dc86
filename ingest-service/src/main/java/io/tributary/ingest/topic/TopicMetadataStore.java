package io.tributary.ingest.topic;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.tributary.ingest.log.AtomicFiles;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The list of topics, kept as {@code topics.json} in the data folder and replaced atomically
 * on every change, so a crash leaves the previous or the new list, never a broken one.
 *
 * <p>Format: a JSON array of {@link TopicMetadata}, sorted by name, e.g.
 * <pre>{@code
 * [{"name":"raw.orders","partitions":3,"replicationFactor":1,"configs":{"retention.ms":"86400000"},
 *   "createdAtMs":1764600000000,"incarnation":0,"topicId":"Xh2xEn1iQ3i2cB4Rh5xw2A"}]
 * }</pre>
 * {@code topicId} is absent in files written before topic ids existed; such topics get one when
 * the registry opens them, and the file is rewritten with it.
 */
final class TopicMetadataStore {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path file;

    TopicMetadataStore(Path dataDir) {
        this.file = dataDir.resolve("topics.json");
    }

    List<TopicMetadata> load() {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            return JSON.readValue(Files.readAllBytes(file), new TypeReference<List<TopicMetadata>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    void save(List<TopicMetadata> topics) {
        try {
            AtomicFiles.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(topics));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
