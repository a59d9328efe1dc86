package io.tributary.analytics.results;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.persistence.criteria.Predicate;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.data.jpa.domain.Specification;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.tributary.analytics.api.InvalidParameterException;
import io.tributary.analytics.job.InvalidJobException;
import io.tributary.analytics.job.JobService;
import io.tributary.analytics.job.JobView;
import io.tributary.analytics.results.ResultDtos.ProgressPage;
import io.tributary.analytics.results.ResultDtos.ProgressView;
import io.tributary.analytics.results.ResultDtos.ResultPage;
import io.tributary.analytics.results.ResultDtos.ResultView;
import io.tributary.analytics.store.BatchProgress;
import io.tributary.analytics.store.BatchProgressRepository;
import io.tributary.analytics.store.JobResult;
import io.tributary.analytics.store.JobResultRepository;
import io.tributary.support.problem.ProblemResponses;
import io.tributary.problem.ProblemType;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * A job's result table and its batch history. Results filter by window range ({@code from}: windows
 * starting at or after, {@code to}: windows ending at or before, ISO-8601) and by group values
 * ({@code group}, one per group-by field, in order); they are ordered by window, then group.
 */
@RestController
@RequestMapping("/api/v1/jobs/{name}")
class ResultController {

    private final JobService jobs;
    private final JobResultRepository results;
    private final BatchProgressRepository progress;
    private final JsonMapper json;

    ResultController(JobService jobs, JobResultRepository results, BatchProgressRepository progress, JsonMapper json) {
        this.jobs = jobs;
        this.results = results;
        this.progress = progress;
        this.json = json;
    }

    @ProblemResponses({ProblemType.UNKNOWN_JOB, ProblemType.INVALID_JOB})
    @GetMapping("/results")
    @Transactional(readOnly = true)
    ResultPage results(@PathVariable String name,
                       @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant from,
                       @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant to,
                       @RequestParam(required = false) List<String> group,
                       @RequestParam(defaultValue = "0") int page,
                       @RequestParam(defaultValue = "100") int size) {
        JobView job = jobs.get(name);
        List<String> groupBy = job.definition().groupBy();
        if (group != null && !group.isEmpty() && group.size() != groupBy.size()) {
            throw new InvalidJobException("group", "give one value per group-by field " + groupBy);
        }
        Long fromMillis = millis(from, "from");
        Long toMillis = millis(to, "to");
        Specification<JobResult> filter = (root, query, cb) -> {
            List<Predicate> predicates = new ArrayList<>();
            predicates.add(cb.equal(root.get("jobName"), name));
            if (from != null) {
                predicates.add(cb.greaterThanOrEqualTo(root.get("windowStart"), fromMillis));
            }
            if (to != null) {
                predicates.add(cb.lessThanOrEqualTo(root.get("windowEnd"), toMillis));
            }
            if (group != null && !group.isEmpty()) {
                predicates.add(cb.equal(root.get("groupKey"), json.writeValueAsString(group)));
            }
            return cb.and(predicates.toArray(Predicate[]::new));
        };
        PageRequest request = InvalidParameterException.page(page, size, 10_000, Sort.by("windowStart", "groupKey"));
        Page<JobResult> found = results.findAll(filter, request);
        List<ResultView> rows = found.getContent().stream().map(r -> view(r, groupBy)).toList();
        return new ResultPage(rows, request.getPageNumber(), request.getPageSize(), found.getTotalElements());
    }

    @ProblemResponses({ProblemType.UNKNOWN_JOB})
    @GetMapping("/progress")
    @Transactional(readOnly = true)
    ProgressPage progress(@PathVariable String name, @RequestParam(defaultValue = "0") int page,
                          @RequestParam(defaultValue = "20") int size) {
        JobView job = jobs.get(name);
        PageRequest request = InvalidParameterException.page(page, size, 1_000, Sort.unsorted());
        Page<BatchProgress> found = progress.findByJobNameOrderByBatchIdDesc(name, request);
        return new ProgressPage(name, job.status().name(), found.getContent().stream().map(this::view).toList(),
                request.getPageNumber(), request.getPageSize(), found.getTotalElements());
    }

    private ResultView view(JobResult result, List<String> groupBy) {
        List<String> values = json.readValue(result.getGroupKey(), new TypeReference<List<String>>() { });
        Map<String, String> group = new LinkedHashMap<>();
        for (int i = 0; i < values.size() && i < groupBy.size(); i++) {
            group.put(groupBy.get(i), values.get(i));
        }
        return new ResultView(group, instant(result.getWindowStart()), instant(result.getWindowEnd()),
                json.readTree(result.getAggregates()), result.getBatchId());
    }

    private ProgressView view(BatchProgress p) {
        Map<String, Long> durations = new LinkedHashMap<>();
        durations.put("fetch", p.fetchMs);
        durations.put("compute", p.computeMs);
        durations.put("commit", p.commitMs);
        return new ProgressView(p.batchId, p.timestamp, json.readTree(p.startOffsets), json.readTree(p.endOffsets),
                p.inputRows, p.inputRowsPerSecond, p.processedRowsPerSecond, durations, instant(p.watermark),
                p.lateRows, p.filteredRows, p.invalidRows, p.emittedRows, p.stateRows);
    }

    /** Epoch millis of a query's instant; 400 naming the parameter when it is beyond them (a year like 1000000000). */
    private static Long millis(Instant instant, String parameter) {
        if (instant == null) {
            return null;
        }
        try {
            return instant.toEpochMilli();
        } catch (ArithmeticException e) {
            throw new InvalidParameterException(parameter, "'" + instant + "' is beyond the range of epoch milliseconds");
        }
    }

    private static Instant instant(Long millis) {
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }
}
