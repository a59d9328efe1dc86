package io.tributary.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.tributary.client.ConsumedRecord;
import io.tributary.client.FetchOptions;
import io.tributary.client.FetchResult;
import io.tributary.client.IngestClient;
import io.tributary.client.PartitionDetails;
import io.tributary.client.TopicPartition;
import tools.jackson.databind.JsonNode;

/**
 * The chaos test's independent oracle: what the log, the pipeline and the job must hold, computed by the test from
 * what it sent and what the raw topic holds, never from what the services report about themselves.
 * <ul>
 *   <li>raw: every acknowledged id is there; nothing is there that was never sent; no record twice except the
 *       orders sent twice on purpose (an idempotent producer's retry writes once);</li>
 *   <li>the pipeline: reading each raw partition in offset order, a malformed record goes to the dead-letter topic,
 *       a good order to the clean topic unless its id was seen before in that partition (the dedupe step). The clean
 *       topic holds exactly those orders, each once, with the raw order's country and amount and its timestamp as
 *       an instant; the dead-letter topic exactly the malformed ones, each once, with the step and reason;</li>
 *   <li>the job: its rows equal the count and sum of amounts per 10-second event-time window and country of the
 *       clean topic as read back.</li>
 * </ul>
 */
final class SuiteOracle {

    static final long WINDOW_MILLIS = Duration.ofSeconds(10).toMillis();
    private static final Pattern BAD_ID = Pattern.compile("bad-\\d+");
    /** Large pages (ingest caps a fetch at 16 MiB), no waiting: the topics are read once nothing is written. */
    private static final FetchOptions PAGE = new FetchOptions(20_000, 16 << 20, Duration.ZERO);

    private SuiteOracle() {
    }

    /** Every record of every partition of {@code topic}, partition by partition in offset order. */
    static List<ConsumedRecord> readAll(IngestClient client, String topic) {
        List<ConsumedRecord> all = new ArrayList<>();
        for (PartitionDetails partition : client.describeTopic(topic).partitionDetails()) {
            TopicPartition tp = new TopicPartition(topic, partition.partition());
            long offset = partition.logStartOffset();
            while (offset < partition.highWatermark()) {
                FetchResult page = client.fetch(tp, offset, PAGE);
                if (page.records().isEmpty()) {
                    throw new AssertionError(tp + " returned nothing at " + offset + " below its end "
                            + partition.highWatermark());
                }
                all.addAll(page.records());
                offset = page.nextOffset();
            }
        }
        return all;
    }

    /** The raw topic against what the stream sent and had acknowledged. */
    static void checkRaw(List<ConsumedRecord> raw, OrderStream orders) {
        Map<String, Integer> occurrences = new HashMap<>();
        raw.forEach(r -> occurrences.merge(r.key(), 1, Integer::sum));
        assertThat(missingFrom(orders.sentIds(), occurrences.keySet())).as("ids in raw that were never sent").isEmpty();
        assertThat(missingFrom(occurrences.keySet(), orders.acknowledgedIds())).as("acknowledged ids missing from raw")
                .isEmpty();
        Set<String> repeated = orders.repeatedIds();
        List<String> tooOften = occurrences.entrySet().stream()
                .filter(e -> e.getValue() > (repeated.contains(e.getKey()) ? 2 : 1))
                .map(e -> e.getKey() + " x" + e.getValue()).toList();
        assertThat(tooOften).as("records written more often than sent (a retry written twice)").isEmpty();
    }

    /** What the pipeline must have written. */
    record Expected(Map<String, JsonNode> clean, Set<String> deadLetters, int droppedRepeats) {
    }

    static Expected expected(List<ConsumedRecord> raw) {
        Map<String, JsonNode> clean = new LinkedHashMap<>();
        Set<String> deadLetters = new HashSet<>();
        Set<String> seen = new HashSet<>(); // partition/id: dedupe state is per source partition
        int dropped = 0;
        for (ConsumedRecord record : raw) {
            if (record.key().startsWith("bad-")) {
                deadLetters.add(record.key());
            } else if (seen.add(record.partition() + "/" + record.key())) {
                clean.put(record.key(), record.value());
            } else {
                dropped++;
            }
        }
        return new Expected(clean, deadLetters, dropped);
    }

    /** The clean topic against the expectation; returns the aggregates the job must show. */
    static Map<String, long[]> checkClean(List<ConsumedRecord> clean, Expected expected) {
        Map<String, Integer> written = new HashMap<>();
        List<String> wrongContent = new ArrayList<>();
        Map<String, long[]> aggregates = new TreeMap<>();
        for (ConsumedRecord record : clean) {
            String id = record.value().path("order_id").asString();
            written.merge(id, 1, Integer::sum);
            JsonNode source = expected.clean().get(id);
            if (source == null) {
                continue; // reported below as not expected
            }
            long ts = Instant.parse(record.value().path("ts").asString()).toEpochMilli();
            String country = record.value().path("country").asString();
            long amount = record.value().path("amount").asLong();
            if (ts != source.path("ts").asLong() || !country.equals(source.path("country").asString())
                    || amount != source.path("amount").asLong()
                    || record.value().path("email").asString().equals(source.path("email").asString())) {
                wrongContent.add(id + ": " + record.value() + " from " + source);
            }
            long[] cell = aggregates.computeIfAbsent(windowKey(ts, country), k -> new long[2]);
            cell[0]++;
            cell[1] += amount;
        }
        assertThat(missingFrom(expected.clean().keySet(), written.keySet()))
                .as("orders in the clean topic that it must not hold").isEmpty();
        assertThat(missingFrom(written.keySet(), expected.clean().keySet())).as("orders missing from the clean topic")
                .isEmpty();
        assertThat(written.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList())
                .as("orders in the clean topic more than once").isEmpty();
        assertThat(wrongContent).as("clean orders whose content is not the raw order's, cleaned").isEmpty();
        return aggregates;
    }

    static void checkDeadLetters(List<ConsumedRecord> deadLetters, Expected expected) {
        Map<String, Integer> written = new HashMap<>();
        List<String> withoutReason = new ArrayList<>();
        for (ConsumedRecord record : deadLetters) {
            String text = record.value() == null || record.value().isNull() ? String.valueOf(record.rawValue())
                    : record.value().toString();
            Matcher id = BAD_ID.matcher(text);
            written.merge(id.find() ? id.group() : "unidentified: " + text, 1, Integer::sum);
            if (record.headers().getOrDefault("step", "").isEmpty()
                    || record.headers().getOrDefault("reason", "").isEmpty()) {
                withoutReason.add(text + " " + record.headers());
            }
        }
        assertThat(missingFrom(expected.deadLetters(), written.keySet())).as("dead letters that must not be there")
                .isEmpty();
        assertThat(missingFrom(written.keySet(), expected.deadLetters())).as("dead letters missing").isEmpty();
        assertThat(written.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList())
                .as("dead letters written more than once").isEmpty();
        assertThat(withoutReason).as("dead letters without their step and reason").isEmpty();
    }

    /** The job's rows as {@code windowStartMillis/country -> {orders, revenue}}. */
    static Map<String, long[]> jobRows(JsonNode page) {
        Map<String, long[]> rows = new TreeMap<>();
        for (JsonNode row : page.path("rows")) {
            long start = Instant.parse(row.path("windowStart").asString()).toEpochMilli();
            double revenue = row.path("values").path("revenue").asDouble();
            rows.put(start + "/" + row.path("group").path("/country").asString(),
                    new long[] {row.path("values").path("orders").asLong(), Math.round(revenue)});
            assertThat(revenue).as("revenue of %s is a whole number (integer amounts)", row).isEqualTo(
                    (double) Math.round(revenue));
        }
        return rows;
    }

    /**
     * The elements of {@code elements} that {@code set} lacks, sorted. (AssertJ's subset assertions compare element
     * by element: quadratic, hours for the few hundred thousand ids of a long run.)
     */
    static List<String> missingFrom(Set<String> set, Set<String> elements) {
        Set<String> lookup = new HashSet<>(set);
        return elements.stream().filter(e -> !lookup.contains(e)).sorted().toList();
    }

    static String windowKey(long ts, String country) {
        return Math.floorDiv(ts, WINDOW_MILLIS) * WINDOW_MILLIS + "/" + country;
    }

    /** Printable form of aggregates, for a failure message. */
    static Map<String, String> printable(Map<String, long[]> aggregates) {
        Map<String, String> out = new TreeMap<>();
        aggregates.forEach((k, v) -> out.put(k, v[0] + " orders, " + v[1]));
        return out;
    }
}
