package io.tributary.clean.runner;

import io.tributary.support.problem.ProblemResponses;
import io.tributary.problem.ProblemType;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

@Tag(name = "Pipelines")
@RestController
class PipelineStatusController {

    private final PipelineRunner runner;

    PipelineStatusController(PipelineRunner runner) {
        this.runner = runner;
    }

    @Operation(summary = "Status of a pipeline on this instance", description = "Run state, record counts in total "
            + "and per step, lag of the owned source partitions, last error.")
    @ProblemResponses({ProblemType.UNKNOWN_PIPELINE})
    @GetMapping("/api/v1/pipelines/{name}/status")
    PipelineStatus status(@PathVariable String name) {
        return runner.status(name);
    }
}
