package io.tributary.analytics.spark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Row;

/**
 * Turns the rows of one micro-batch's aggregate into the callback's wire format:
 * {@code {"batchId": 7, "rows": [{"windowStart": ms, "windowEnd": ms, "group": ["de"], "values": {...}}]}}.
 * The collected rows have the columns {@code _start, _end} (epoch milliseconds, null without a window), then
 * one per group, then one per aggregate, in the plan's order.
 */
final class BatchRows {

    private BatchRows() {
    }

    static Map<String, Object> of(long batchId, List<Row> rows, SparkPlan plan) {
        List<Map<String, Object>> out = new ArrayList<>(rows.size());
        int groups = plan.groups().size();
        for (Row row : rows) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("windowStart", row.isNullAt(0) ? null : row.getLong(0));
            entry.put("windowEnd", row.isNullAt(1) ? null : row.getLong(1));
            List<String> group = new ArrayList<>(groups);
            for (int i = 0; i < groups; i++) {
                group.add(row.isNullAt(2 + i) ? null : row.getString(2 + i));
            }
            entry.put("group", group);
            Map<String, Object> values = new LinkedHashMap<>();
            for (int i = 0; i < plan.aggregates().size(); i++) {
                SparkPlan.Aggregate aggregate = plan.aggregates().get(i);
                values.put(aggregate.name(), value(row, 2 + groups + i, aggregate));
            }
            entry.put("values", values);
            out.add(entry);
        }
        Map<String, Object> batch = new LinkedHashMap<>();
        batch.put("batchId", batchId);
        batch.put("rows", out);
        return batch;
    }

    private static Object value(Row row, int column, SparkPlan.Aggregate aggregate) {
        if (row.isNullAt(column)) {
            return null;
        }
        if (aggregate.labels().isEmpty()) {
            return row.get(column);
        }
        List<Object> quantiles = row.getList(column);
        Map<String, Object> byLabel = new LinkedHashMap<>();
        for (int i = 0; i < aggregate.labels().size(); i++) {
            byLabel.put(aggregate.labels().get(i), quantiles.get(i));
        }
        return byLabel;
    }
}
