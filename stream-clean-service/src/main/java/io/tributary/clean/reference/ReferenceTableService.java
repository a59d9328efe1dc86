package io.tributary.clean.reference;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.event.TransactionalEventListener;

import io.tributary.clean.pipeline.Pipeline;
import io.tributary.clean.pipeline.PipelineRepository;
import io.tributary.clean.pipeline.PipelineService;
import io.tributary.clean.step.enrich.ReferenceLookup;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Stores reference tables and serves {@code enrich} lookups from an in-memory copy per table,
 * loaded on first use and dropped when the table changes (at once for changes through this
 * instance, within {@code clean.runner.reconcile-interval} for changes through others).
 */
@Service
@Transactional
public class ReferenceTableService implements ReferenceLookup {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private record Cached(long revision, Map<String, JsonNode> rows) {
    }

    /** Published when a table was replaced or deleted. */
    record TableChanged(String name) {
    }

    private final ReferenceTableRepository tables;
    private final ReferenceRowRepository rows;
    private final PipelineRepository pipelines;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    ReferenceTableService(ReferenceTableRepository tables, ReferenceRowRepository rows,
                          PipelineRepository pipelines, ApplicationEventPublisher events, Clock clock) {
        this.tables = tables;
        this.rows = rows;
        this.pipelines = pipelines;
        this.events = events;
        this.clock = clock;
    }

    /** Replaces all rows; creates the table when missing. Returns true when it was created. */
    public boolean replace(String name, Map<String, JsonNode> newRows) {
        List<ReferenceRow> entities = new ArrayList<>(newRows.size());
        for (Map.Entry<String, JsonNode> row : newRows.entrySet()) {
            if (row.getKey().isEmpty() || row.getKey().length() > ReferenceRow.MAX_KEY) {
                throw new InvalidReferenceTableException("row keys must be 1-" + ReferenceRow.MAX_KEY + " characters");
            }
            String json = JSON.writeValueAsString(row.getValue());
            if (json.length() > ReferenceRow.MAX_VALUE_JSON) {
                throw new InvalidReferenceTableException("the row '" + row.getKey() + "' is longer than "
                        + ReferenceRow.MAX_VALUE_JSON + " characters of JSON");
            }
            entities.add(new ReferenceRow(name, row.getKey(), json));
        }
        Optional<ReferenceTable> existing = tables.findByName(name);
        ReferenceTable table = existing.orElseGet(() -> new ReferenceTable(name));
        rows.deleteByTable(name);
        rows.flush();
        rows.saveAll(entities);
        table.replaced(entities.size(), clock.instant());
        tables.saveAndFlush(table);
        events.publishEvent(new TableChanged(name));
        return existing.isEmpty();
    }

    @Transactional(readOnly = true)
    public List<ReferenceTableDtos.TableView> list() {
        return tables.findAllByOrderByNameAsc().stream()
                .map(t -> new ReferenceTableDtos.TableView(t.getName(), t.getRevision(), t.getRowCount(),
                        t.getUpdatedAt(), null))
                .toList();
    }

    @Transactional(readOnly = true)
    public ReferenceTableDtos.TableView get(String name) {
        ReferenceTable table = tables.findByName(name).orElseThrow(() -> new ReferenceTableNotFoundException(name));
        Map<String, JsonNode> content = new LinkedHashMap<>();
        rows.findByTableName(name).forEach(r -> content.put(r.getRowKey(), JSON.readTree(r.getValueJson())));
        return new ReferenceTableDtos.TableView(name, table.getRevision(), table.getRowCount(), table.getUpdatedAt(),
                content);
    }

    /** Deletes a table no pipeline uses. */
    public void delete(String name) {
        ReferenceTable table = tables.findByName(name).orElseThrow(() -> new ReferenceTableNotFoundException(name));
        List<String> users = new ArrayList<>();
        for (Pipeline pipeline : pipelines.findAll()) {
            for (JsonNode step : PipelineService.steps(pipeline)) {
                if ("enrich".equals(step.path("type").asString()) && name.equals(step.path("table").asString())) {
                    users.add(pipeline.getName());
                    break;
                }
            }
        }
        if (!users.isEmpty()) {
            throw new ReferenceTableInUseException(name, users);
        }
        rows.deleteByTable(name);
        tables.delete(table);
        events.publishEvent(new TableChanged(name));
    }

    @Override
    @Transactional(readOnly = true)
    public boolean exists(String table) {
        return cache.containsKey(table) || tables.existsByName(table);
    }

    @Override
    @Transactional(readOnly = true)
    public Optional<JsonNode> find(String table, String key) {
        Cached cached = cache.get(table);
        if (cached == null) {
            cached = load(table);
            if (cached == null) {
                return Optional.empty();
            }
        }
        return Optional.ofNullable(cached.rows().get(key));
    }

    private Cached load(String name) {
        Optional<ReferenceTable> table = tables.findByName(name);
        if (table.isEmpty()) {
            return null;
        }
        Map<String, JsonNode> content = new ConcurrentHashMap<>();
        rows.findByTableName(name).forEach(r -> content.put(r.getRowKey(), JSON.readTree(r.getValueJson())));
        Cached cached = new Cached(table.get().getRevision(), content);
        cache.put(name, cached);
        return cached;
    }

    @TransactionalEventListener(fallbackExecution = true)
    @Transactional(propagation = org.springframework.transaction.annotation.Propagation.NOT_SUPPORTED)
    void onChange(TableChanged change) {
        cache.remove(change.name());
    }

    /** Drops copies of tables that changed through another instance (or were deleted). */
    @Scheduled(fixedDelayString = "${clean.runner.reconcile-interval:5s}")
    @Transactional(readOnly = true)
    public void refresh() {
        Map<String, Long> revisions = new ConcurrentHashMap<>();
        tables.findAll().forEach(t -> revisions.put(t.getName(), t.getRevision()));
        cache.entrySet().removeIf(entry -> !Long.valueOf(entry.getValue().revision()).equals(revisions.get(entry.getKey())));
    }
}
