package io.tributary.clean.runner;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Decides, once per pipeline and source, whether an incarnation of the source is read under the
 * names of the version before topic ids, so that upgrading does not make a running pipeline read
 * and write its source again (table {@code pipeline_source_bindings}).
 *
 * <p>The first time a pipeline's worker sees its source with a topic id, the pipeline is bound to
 * that id. A pipeline stored by a version before topic ids ({@code Pipeline#predatesTopicIds})
 * binds with legacy names: its group {@code clean-<pipeline>} and producers
 * {@code clean-<pipeline>-<source>-<partition>} keep their committed offsets, producer sequences
 * and dedupe state, exactly as the older version would have gone on. Any other pipeline binds
 * with the id-suffixed names. The binding is inserted once (a unique key makes concurrent workers
 * and instances agree on the first insert) and never changed, so a later incarnation of the
 * source (another id) is always read under the id-suffixed names, from its beginning.
 */
@Component
public class SourceBindings {

    private final JdbcTemplate jdbc;
    private final Clock clock;

    public SourceBindings(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * True when the pipeline reads this incarnation of its source under the names without topic id.
     *
     * @param predatesTopicIds whether the pipeline was stored by a version before topic ids
     */
    public boolean legacyNames(String pipeline, String source, String sourceTopicId, boolean predatesTopicIds) {
        Binding binding = find(pipeline, source);
        if (binding == null) {
            try {
                jdbc.update("INSERT INTO pipeline_source_bindings (pipeline, source_topic, source_topic_id, "
                        + "legacy_names, bound_at) VALUES (?, ?, ?, ?, ?)", pipeline, source, sourceTopicId,
                        predatesTopicIds, Timestamp.from(clock.instant()));
            } catch (DuplicateKeyException e) {
                // Another worker or instance bound it first: its decision holds.
            }
            binding = find(pipeline, source);
        }
        return binding.legacyNames() && binding.sourceTopicId().equals(sourceTopicId);
    }

    private Binding find(String pipeline, String source) {
        List<Binding> rows = jdbc.query("SELECT source_topic_id, legacy_names FROM pipeline_source_bindings "
                + "WHERE pipeline = ? AND source_topic = ?", (rs, i) -> new Binding(rs.getString(1),
                rs.getBoolean(2)), pipeline, source);
        return rows.isEmpty() ? null : rows.get(0);
    }

    private record Binding(String sourceTopicId, boolean legacyNames) {
    }
}
