package io.tributary.analytics.job;

import java.time.Clock;
import java.util.List;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.tributary.analytics.config.AnalyticsProperties;
import io.tributary.analytics.lease.JobLease;
import io.tributary.analytics.lease.JobLeases;
import io.tributary.analytics.reference.ReferenceTableNotFoundException;
import io.tributary.analytics.reference.ReferenceTables;
import io.tributary.analytics.store.JobStore;
import io.tributary.client.IngestClient;
import io.tributary.client.IngestException;
import io.tributary.client.ProblemKind;
import tools.jackson.databind.json.JsonMapper;

/** Job definitions and their lifecycle. The runner follows via {@link JobStatusChanged}. */
@Service
public class JobService {

    private final JobRepository jobs;
    private final JobStore store;
    private final ApplicationEventPublisher events;
    private final ReferenceTables referenceTables;
    private final JobLeases leases;
    private final IngestClient ingest;
    private final JsonMapper json;
    private final Clock clock;
    private final JobLimits limits;
    private final List<EnginePlanner> planners;

    JobService(JobRepository jobs, JobStore store, ReferenceTables referenceTables, JobLeases leases,
               IngestClient ingest, ApplicationEventPublisher events, JsonMapper json, Clock clock,
               AnalyticsProperties properties, List<EnginePlanner> planners) {
        this.limits = JobLimits.of(properties.limits());
        this.planners = List.copyOf(planners);
        this.jobs = jobs;
        this.store = store;
        this.referenceTables = referenceTables;
        this.leases = leases;
        this.ingest = ingest;
        this.events = events;
        this.json = json;
        this.clock = clock;
    }

    @Transactional
    public JobView create(JobRequest request) {
        CompiledJob compiled = JobDefinitions.compile(request, limits);
        if (compiled.runsOn() != JobEngine.BUILTIN) {
            planners.stream().filter(planner -> planner.engine() == compiled.runsOn()).findFirst()
                    .orElseThrow(() -> new InvalidJobException("engine", "engine '" + compiled.runsOn().wireName()
                            + "' is not available on this instance"))
                    .check(compiled);
        }
        if (jobs.existsById(request.name())) {
            throw new JobExistsException(request.name());
        }
        if (compiled.outputTopic() != null) {
            requireOutputTopic(compiled.outputTopic());
        }
        if (compiled.join() != null && !compiled.join().fromTopic()) {
            try {
                referenceTables.require(compiled.join().source());
            } catch (ReferenceTableNotFoundException e) {
                throw new InvalidJobException("join.table", e.getMessage());
            }
        }
        Job job = new Job(request.name(), request.source(), json.writeValueAsString(request.withDefaults()),
                clock.instant());
        return view(jobs.save(job));
    }

    private void requireOutputTopic(String topic) {
        try {
            ingest.describeTopic(topic);
        } catch (IngestException e) {
            if (e.kind() == ProblemKind.NOT_FOUND) {
                throw new InvalidJobException("output.topic", "topic '" + topic + "' does not exist; create it first");
            }
            throw e;
        }
    }

    @Transactional(readOnly = true)
    public List<JobView> list() {
        return jobs.findAllByOrderByNameAsc().stream().map(this::view).toList();
    }

    @Transactional(readOnly = true)
    public JobView get(String name) {
        return view(find(name));
    }

    @Transactional(readOnly = true)
    public CompiledJob compiled(String name) {
        return JobDefinitions.compile(definition(find(name)), limits);
    }

    @Transactional(readOnly = true)
    public List<String> runningJobs() {
        return jobs.findByStatus(JobStatus.RUNNING).stream().map(Job::getName).toList();
    }

    @Transactional
    public JobView start(String name) {
        return setStatus(name, JobStatus.RUNNING, null);
    }

    @Transactional
    public JobView stop(String name) {
        return setStatus(name, JobStatus.STOPPED, null);
    }

    /** Called by the runner: an available-now job finished, or a job failed. */
    @Transactional
    public void finished(String name, JobStatus status, String error) {
        jobs.findById(name).ifPresent(job -> job.setStatus(status, truncate(error), clock.instant()));
    }

    /** An error as {@code lastError} holds it: at most 2,000 characters (the column). */
    private static String truncate(String error) {
        return error == null || error.length() <= 2_000 ? error : error.substring(0, 1_997) + "...";
    }

    /** Called by the runner: a batch failed and will be retried (null: it works again). Status unchanged. */
    @Transactional
    public void noteError(String name, String error) {
        jobs.findById(name).ifPresent(job -> job.setStatus(job.getStatus(), truncate(error), clock.instant()));
    }

    /** Forgets results, progress, state and positions; the job starts over from its starting offsets. */
    @Transactional
    public JobView reset(String name) {
        Job job = find(name);
        if (job.getStatus() == JobStatus.RUNNING) {
            throw new JobStateException("job '" + name + "' is running; stop it before resetting");
        }
        store.deleteJobData(name);
        job.setStatus(JobStatus.STOPPED, null, clock.instant());
        return view(job);
    }

    @Transactional
    public void delete(String name) {
        Job job = find(name);
        events.publishEvent(new JobStatusChanged(name, JobStatus.STOPPED, true));
        store.deleteJobData(name);
        leases.forget(name);
        jobs.delete(job);
    }

    private JobView setStatus(String name, JobStatus status, String error) {
        Job job = find(name);
        job.setStatus(status, error, clock.instant());
        events.publishEvent(new JobStatusChanged(name, status, false));
        return view(job);
    }

    private Job find(String name) {
        return jobs.findById(name).orElseThrow(() -> new JobNotFoundException(name));
    }

    private JobRequest definition(Job job) {
        return json.readValue(job.getDefinition(), JobRequest.class);
    }

    private JobView view(Job job) {
        JobLease lease = leases.live(job.getName()).orElse(null);
        return new JobView(job.getName(), definition(job), job.getStatus(), job.getLastError(), job.getCreatedAt(),
                job.getUpdatedAt(), lease == null ? null : lease.getOwner(), lease == null ? null : lease.getExpiresAt());
    }
}
