package io.tributary.ingest.cluster;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.stereotype.Component;

/**
 * The records this node took in and served per topic since it started, read from the counters the produce and
 * fetch paths keep anyway ({@code ingest.produce.records}, {@code ingest.fetch.records}, tagged by topic; REST and
 * Kafka listener alike). Shown per node in the cluster view, so that a console or a script can turn two readings into
 * produce and fetch rates per topic, summed over the nodes.
 */
@Component
public class NodeTraffic {

    /** One topic's counts on one node; they restart from 0 when the node restarts. */
    @Schema(description = "Records of one topic this node took in and served since it started")
    public record Traffic(@Schema(description = "records produced through this node (REST or Kafka)", example = "1200")
                          long producedRecords,
                          @Schema(description = "records this node answered fetches with", example = "3600")
                          long fetchedRecords) {
    }

    private final MeterRegistry meters;

    public NodeTraffic(MeterRegistry meters) {
        this.meters = meters;
    }

    /** Per topic name, in name order: what this node counted for it. */
    public Map<String, Traffic> current() {
        Map<String, long[]> counts = new TreeMap<>();
        add(counts, "ingest.produce.records", 0);
        add(counts, "ingest.fetch.records", 1);
        Map<String, Traffic> traffic = new TreeMap<>();
        counts.forEach((topic, c) -> traffic.put(topic, new Traffic(c[0], c[1])));
        return traffic;
    }

    private void add(Map<String, long[]> counts, String meter, int slot) {
        for (Counter counter : meters.find(meter).counters()) {
            String topic = counter.getId().getTag("topic");
            if (topic != null) {
                counts.computeIfAbsent(topic, t -> new long[2])[slot] += (long) counter.count();
            }
        }
    }
}
