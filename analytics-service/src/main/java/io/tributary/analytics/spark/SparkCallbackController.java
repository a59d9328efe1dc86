package io.tributary.analytics.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.Hidden;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.tributary.analytics.engine.ResultRow;
import io.tributary.analytics.engine.StateKey;
import io.tributary.analytics.engine.Window;
import io.tributary.problem.ProblemType;
import io.tributary.support.problem.ProblemHandlerSupport;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The internal API a job's Spark driver calls back on (not in the OpenAPI document, not routed by the gateway):
 * {@code GET /internal/spark/jobs/{name}/plan} answers the driver's plan, {@code GET .../run} whether its run is
 * still the job's current one (the driver polls it, and stops when it is not), {@code POST .../batches} commits a
 * batch's rows, {@code .../progress} records its progress. Each call must carry the token of the run that started
 * the driver ({@code Authorization: Bearer}); a driver of an earlier run, or any other caller, gets 401 and commits
 * nothing.
 *
 * <p>Batch body: {@code {"batchId": 7, "rows": [{"windowStart": ms|null, "windowEnd": ms|null,
 * "group": ["de"], "values": {"orders": 12}}]}}; progress body: Spark's {@code StreamingQueryProgress} JSON.
 */
@Hidden
@RestController
@RequestMapping("/internal/spark/jobs/{name}")
class SparkCallbackController {

    private final SparkRuns runs;
    private final JsonMapper json;

    SparkCallbackController(SparkRuns runs, JsonMapper json) {
        this.runs = runs;
        this.json = json;
    }

    /** The plan of the run's driver (the driver's first call). */
    @GetMapping("/plan")
    ResponseEntity<?> plan(@PathVariable String name, @RequestHeader(value = HttpHeaders.AUTHORIZATION,
            required = false) String authorization) {
        SparkPlan plan = caller(name, authorization).flatMap(SparkJobRun::plan).orElse(null);
        return plan == null ? refused(name) : ResponseEntity.ok(plan);
    }

    /** 204 while the caller's run is the job's current run here, else 401: the driver stops on a 401. */
    @GetMapping("/run")
    ResponseEntity<?> run(@PathVariable String name, @RequestHeader(value = HttpHeaders.AUTHORIZATION,
            required = false) String authorization) {
        return caller(name, authorization).isPresent() ? ResponseEntity.noContent().build() : refused(name);
    }

    @PostMapping("/batches")
    ResponseEntity<?> commit(@PathVariable String name, @RequestHeader(value = HttpHeaders.AUTHORIZATION,
            required = false) String authorization, @RequestBody JsonNode batch) {
        SparkJobRun run = caller(name, authorization).orElse(null);
        if (run == null) {
            return refused(name);
        }
        long batchId = batch.path("batchId").asLong(-1);
        if (batchId < 0 || !batch.path("rows").isArray()) {
            return ProblemHandlerSupport.respond(ProblemType.INVALID_REQUEST,
                    "a batch needs a batchId >= 0 and an array of rows", Map.of());
        }
        List<ResultRow> rows = new ArrayList<>();
        for (JsonNode row : batch.path("rows")) {
            rows.add(row(row));
        }
        try {
            run.commit(batchId, rows);
        } catch (SparkJobRun.LeaseLostException e) {
            return ProblemHandlerSupport.respond(ProblemType.JOB_STATE, e.getMessage(), Map.of());
        }
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/progress")
    ResponseEntity<?> progress(@PathVariable String name, @RequestHeader(value = HttpHeaders.AUTHORIZATION,
            required = false) String authorization, @RequestBody JsonNode progress) {
        SparkJobRun run = caller(name, authorization).orElse(null);
        if (run == null) {
            return refused(name);
        }
        run.progress(SparkProgress.of(name, progress, json));
        return ResponseEntity.noContent().build();
    }

    private ResultRow row(JsonNode row) {
        JsonNode start = row.path("windowStart");
        Window window = start.isNumber() ? new Window(start.asLong(), row.path("windowEnd").asLong()) : Window.GLOBAL;
        List<String> group = new ArrayList<>();
        for (JsonNode value : row.path("group")) {
            group.add(value.isNull() ? null : value.asString());
        }
        Map<String, Object> values = json.convertValue(row.path("values"),
                new tools.jackson.core.type.TypeReference<java.util.LinkedHashMap<String, Object>>() { });
        return new ResultRow(new StateKey(group, window), values);
    }

    /** The job's run on this instance, if the caller presents its current driver token. */
    private java.util.Optional<SparkJobRun> caller(String name, String authorization) {
        return runs.active(name).filter(run -> run.accepts(bearer(authorization)));
    }

    private static String bearer(String authorization) {
        return authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : null;
    }

    private static ResponseEntity<ProblemDetail> refused(String name) {
        return ProblemHandlerSupport.respond(ProblemType.UNAUTHORIZED, "no Spark driver of job '" + name
                + "' with this token runs on this instance", Map.of());
    }
}
