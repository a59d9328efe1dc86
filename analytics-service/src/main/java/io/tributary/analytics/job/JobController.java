package io.tributary.analytics.job;

import io.tributary.support.problem.ProblemResponses;
import io.tributary.problem.ProblemType;
import java.util.List;

import jakarta.validation.Valid;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/jobs")
class JobController {

    private final JobService jobs;

    JobController(JobService jobs) {
        this.jobs = jobs;
    }

    @ProblemResponses({ProblemType.INVALID_JOB, ProblemType.JOB_EXISTS, ProblemType.INGEST_UNAVAILABLE})
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    JobView create(@Valid @RequestBody JobRequest request) {
        return jobs.create(request);
    }

    @GetMapping
    List<JobView> list() {
        return jobs.list();
    }

    @ProblemResponses({ProblemType.UNKNOWN_JOB})
    @GetMapping("/{name}")
    JobView get(@PathVariable String name) {
        return jobs.get(name);
    }

    @ProblemResponses({ProblemType.UNKNOWN_JOB, ProblemType.JOB_STATE, ProblemType.CONCURRENT_CHANGE})
    @DeleteMapping("/{name}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable String name) {
        jobs.delete(name);
    }

    @ProblemResponses({ProblemType.UNKNOWN_JOB, ProblemType.JOB_STATE, ProblemType.CONCURRENT_CHANGE})
    @PostMapping("/{name}/start")
    JobView start(@PathVariable String name) {
        return jobs.start(name);
    }

    @ProblemResponses({ProblemType.UNKNOWN_JOB, ProblemType.JOB_STATE, ProblemType.CONCURRENT_CHANGE})
    @PostMapping("/{name}/stop")
    JobView stop(@PathVariable String name) {
        return jobs.stop(name);
    }

    @ProblemResponses({ProblemType.UNKNOWN_JOB, ProblemType.JOB_STATE, ProblemType.CONCURRENT_CHANGE})
    @PostMapping("/{name}/reset")
    JobView reset(@PathVariable String name) {
        return jobs.reset(name);
    }
}
