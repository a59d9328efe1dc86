package io.tributary.analytics.spark;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import io.tributary.analytics.config.AnalyticsProperties;
import io.tributary.analytics.job.JobService;
import io.tributary.analytics.lease.JobLeases;
import io.tributary.analytics.runner.JobRun;
import io.tributary.analytics.runner.ResultPublisher;
import io.tributary.analytics.store.JobStore;
import io.tributary.client.IngestClient;
import io.tributary.client.producer.IngestProducer;

/** Makes the runs of spark jobs for {@code JobRunner}, and finds the one a driver calls back about. */
@Component
public class SparkRuns {

    private final Map<String, SparkJobRun> active = new ConcurrentHashMap<>();
    private final JobService jobs;
    private final JobStore store;
    private final JobLeases leases;
    private final SparkPlanner planner;
    private final SparkDriver driver;
    private final AnalyticsProperties.Spark settings;
    private final java.time.Duration tableRefresh;
    private final Environment environment;
    private final IngestClient ingest;
    private final IngestProducer resultProducer;

    SparkRuns(JobService jobs, JobStore store, JobLeases leases, SparkPlanner planner, AnalyticsProperties properties,
              Environment environment, IngestClient ingest, IngestProducer resultProducer) {
        this.ingest = ingest;
        this.resultProducer = resultProducer;
        this.jobs = jobs;
        this.store = store;
        this.leases = leases;
        this.planner = planner;
        this.settings = properties.spark();
        this.tableRefresh = properties.referenceTables().refresh();
        this.driver = new SparkDriver(settings);
        this.environment = environment;
    }

    /** A run of job {@code name}; {@code onExit} runs when it has ended. */
    public JobRun create(String name, Runnable onExit) {
        SparkJobRun[] self = new SparkJobRun[1];
        SparkJobRun run = new SparkJobRun(name, jobs, store, leases, planner, driver, settings,
                callbackBase() + "/internal/spark/jobs/" + name, tableRefresh,
                job -> new ResultPublisher(name, job.outputTopic(), job.engine().groupBy(), ingest, resultProducer),
                () -> {
                    active.remove(name, self[0]);
                    onExit.run();
                });
        self[0] = run;
        active.put(name, run);
        return run;
    }

    Optional<SparkJobRun> active(String name) {
        return Optional.ofNullable(active.get(name));
    }

    private String callbackBase() {
        if (!settings.callbackUrl().isBlank()) {
            return settings.callbackUrl().replaceAll("/+$", "");
        }
        String port = environment.getProperty("local.server.port", environment.getProperty("server.port", "8083"));
        return "http://127.0.0.1:" + port;
    }
}
