package io.tributary.clean.pipeline;

import io.tributary.support.problem.ProblemResponses;
import io.tributary.problem.ProblemType;
import java.net.URI;
import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@Tag(name = "Pipelines", description = "Cleaning pipelines from raw to clean topics")
@RestController
@RequestMapping("/api/v1/pipelines")
class PipelineController {

    private final PipelineService pipelines;

    PipelineController(PipelineService pipelines) {
        this.pipelines = pipelines;
    }

    @Operation(summary = "Create a pipeline", description = "Every step is validated; a bad step is a 400 naming "
            + "its index. The pipeline starts running at once; sink and dead-letter topics are created if missing.")
    @ProblemResponses({ProblemType.INVALID_PIPELINE, ProblemType.INVALID_STEP, ProblemType.PIPELINE_EXISTS})
    @ApiResponse(responseCode = "201", description = "Created")
    @ApiResponse(responseCode = "400", description = "Invalid definition or step")
    @ApiResponse(responseCode = "409", description = "A pipeline with that name exists")
    @PostMapping
    ResponseEntity<PipelineView> create(@Valid @RequestBody PipelineRequest request) {
        PipelineView created = pipelines.create(request);
        return ResponseEntity.created(URI.create("/api/v1/pipelines/" + created.name())).body(created);
    }

    @Operation(summary = "List pipelines")
    @GetMapping
    List<PipelineView> list() {
        return pipelines.list();
    }

    @ProblemResponses({ProblemType.UNKNOWN_PIPELINE})
    @Operation(summary = "Get a pipeline")
    @GetMapping("/{name}")
    PipelineView get(@PathVariable String name) {
        return pipelines.get(name);
    }

    @Operation(summary = "Replace a pipeline", description = "Takes effect without a restart: workers finish their "
            + "current batch and continue from the committed offsets with the new definition.")
    @ProblemResponses({ProblemType.UNKNOWN_PIPELINE, ProblemType.INVALID_PIPELINE, ProblemType.INVALID_STEP,
            ProblemType.CONCURRENT_CHANGE})
    @PutMapping("/{name}")
    PipelineView replace(@PathVariable String name, @Valid @RequestBody PipelineRequest request) {
        return pipelines.replace(name, request);
    }

    @ProblemResponses({ProblemType.UNKNOWN_PIPELINE})
    @Operation(summary = "Delete a pipeline", description = "Stops its workers; topics and committed offsets stay.")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @DeleteMapping("/{name}")
    ResponseEntity<Void> delete(@PathVariable String name) {
        pipelines.delete(name);
        return ResponseEntity.noContent().build();
    }

    @ProblemResponses({ProblemType.UNKNOWN_PIPELINE, ProblemType.CONCURRENT_CHANGE})
    @Operation(summary = "Pause a pipeline", description = "Workers leave the group after committing what they wrote.")
    @PostMapping("/{name}/pause")
    PipelineView pause(@PathVariable String name) {
        return pipelines.changeState(name, PipelineState.PAUSED);
    }

    @ProblemResponses({ProblemType.UNKNOWN_PIPELINE, ProblemType.CONCURRENT_CHANGE})
    @Operation(summary = "Resume a paused pipeline")
    @PostMapping("/{name}/resume")
    PipelineView resume(@PathVariable String name) {
        return pipelines.changeState(name, PipelineState.RUNNING);
    }
}
