package io.tributary.clean.preview;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import io.tributary.clean.pipeline.PipelineService;
import io.tributary.clean.preview.PreviewDtos.PreviewRequest;
import io.tributary.clean.preview.PreviewDtos.PreviewResponse;
import io.tributary.clean.preview.PreviewDtos.PreviewResult;
import io.tributary.clean.preview.PreviewDtos.SampleRecord;
import io.tributary.clean.process.Outcome;
import io.tributary.clean.process.RecordProcessor;
import io.tributary.clean.step.dedupe.KeyMemory;
import io.tributary.support.problem.ProblemResponses;
import io.tributary.problem.ProblemType;

@Tag(name = "Pipelines")
@RestController
class PreviewController {

    private final PipelineService pipelines;
    private final Clock clock;

    PreviewController(PipelineService pipelines, Clock clock) {
        this.pipelines = pipelines;
        this.clock = clock;
    }

    @Operation(summary = "Try steps on sample records", description = "Runs the steps exactly as a pipeline would and "
            + "returns, per record, the output or why it was filtered, deduplicated or dead-lettered (the samples count as "
            + "one partition in order, so dedupe drops repeats among them). Writes nothing.")
    @ProblemResponses({ProblemType.INVALID_PIPELINE, ProblemType.INVALID_STEP})
    @PostMapping("/api/v1/pipelines/preview")
    PreviewResponse preview(@Valid @RequestBody PreviewRequest request) {
        RecordProcessor processor = pipelines.compile(request.steps());
        // The samples are one partition in offset order: a dedupe step sees repeats among them.
        KeyMemory keyMemory = new KeyMemory();
        List<PreviewResult> results = new ArrayList<>();
        for (int i = 0; i < request.records().size(); i++) {
            SampleRecord sample = request.records().get(i);
            Map<String, String> headers = sample.headers() == null ? Map.of() : sample.headers();
            long timestamp = sample.timestamp() == null ? clock.millis() : sample.timestamp();
            Outcome outcome = processor.process(sample.key(), sample.value(), headers, timestamp, i, keyMemory);
            if (outcome instanceof Outcome.Output out) {
                results.add(new PreviewResult(i, "output", out.key(), out.value(), out.headers(), null, null));
            } else if (outcome instanceof Outcome.Filtered filtered) {
                results.add(new PreviewResult(i, "filtered", sample.key(), null, null, filtered.step(), null));
            } else if (outcome instanceof Outcome.Deduplicated dropped) {
                results.add(new PreviewResult(i, "deduplicated", sample.key(), null, null, dropped.step(), null));
            } else if (outcome instanceof Outcome.DeadLettered dead) {
                results.add(new PreviewResult(i, "dead-letter", sample.key(), null, null, dead.step(), dead.reason()));
            }
        }
        return new PreviewResponse(results);
    }
}
