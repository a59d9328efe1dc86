package io.tributary.clean.runner;

import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.clean.process.Outcome;

/**
 * Record counts of one pipeline on this instance, as Micrometer counters:
 * {@code clean.pipeline.records{pipeline, outcome=in|out|filtered|deduplicated|dead-lettered|already-written|refused|value-omitted}} and
 * {@code clean.step.records{pipeline, step, outcome=in|filtered|deduplicated|dead-lettered}} (step is
 * {@code "<index>:<type>"}, or {@code parse} for values that are not JSON objects). Counts are of
 * records processed since this instance started, replays after a rebalance included;
 * {@code already-written} counts outputs not sent again because the log already held them (the
 * replay after a crash or a takeover); {@code refused} counts outputs the sink refused (too large,
 * invalid there) that went to the dead letters instead, {@code value-omitted} dead letters the
 * dead-letter topic refused too, written as an envelope without the value.
 * Thread-safe.
 */
final class PipelineMetrics {

    private final Counter in;
    private final Counter out;
    private final Counter filtered;
    private final Counter deduplicated;
    private final Counter deadLettered;
    private final Counter parseDeadLettered;
    private final Counter alreadyWritten;
    private final Counter refused;
    private final Counter valueOmitted;
    private final List<String> stepLabels;
    private final RateMeter rate = new RateMeter(System::currentTimeMillis);
    private final List<Counter> stepIn = new ArrayList<>();
    private final List<Counter> stepFiltered = new ArrayList<>();
    private final List<Counter> stepDeduplicated = new ArrayList<>();
    private final List<Counter> stepDeadLettered = new ArrayList<>();

    PipelineMetrics(MeterRegistry registry, String pipeline, List<String> stepLabels) {
        this.in = records(registry, pipeline, "in");
        this.out = records(registry, pipeline, "out");
        this.filtered = records(registry, pipeline, "filtered");
        this.deduplicated = records(registry, pipeline, "deduplicated");
        this.deadLettered = records(registry, pipeline, "dead-lettered");
        this.alreadyWritten = records(registry, pipeline, "already-written");
        this.refused = records(registry, pipeline, "refused");
        this.valueOmitted = records(registry, pipeline, "value-omitted");
        this.parseDeadLettered = step(registry, pipeline, "parse", "dead-lettered");
        this.stepLabels = List.copyOf(stepLabels);
        for (String label : stepLabels) {
            stepIn.add(step(registry, pipeline, label, "in"));
            stepFiltered.add(step(registry, pipeline, label, "filtered"));
            stepDeduplicated.add(step(registry, pipeline, label, "deduplicated"));
            stepDeadLettered.add(step(registry, pipeline, label, "dead-lettered"));
        }
    }

    private static Counter records(MeterRegistry registry, String pipeline, String outcome) {
        return Counter.builder("clean.pipeline.records").description("Records through a cleaning pipeline")
                .tag("pipeline", pipeline).tag("outcome", outcome).register(registry);
    }

    private static Counter step(MeterRegistry registry, String pipeline, String step, String outcome) {
        return Counter.builder("clean.step.records").description("Records through one step of a cleaning pipeline")
                .tag("pipeline", pipeline).tag("step", step).tag("outcome", outcome).register(registry);
    }

    void record(Outcome outcome) {
        in.increment();
        rate.mark(1);
        int reached = outcome instanceof Outcome.Output ? stepLabels.size() : outcome.stepIndex() + 1;
        for (int i = 0; i < reached; i++) {
            stepIn.get(i).increment();
        }
        if (outcome instanceof Outcome.Output) {
            out.increment();
        } else if (outcome instanceof Outcome.Filtered f) {
            filtered.increment();
            stepFiltered.get(f.stepIndex()).increment();
        } else if (outcome instanceof Outcome.Deduplicated d) {
            deduplicated.increment();
            stepDeduplicated.get(d.stepIndex()).increment();
        } else if (outcome instanceof Outcome.DeadLettered d) {
            deadLettered.increment();
            (d.stepIndex() < 0 ? parseDeadLettered : stepDeadLettered.get(d.stepIndex())).increment();
        }
    }

    void alreadyWritten() {
        alreadyWritten.increment();
    }

    void refused() {
        refused.increment();
    }

    void valueOmitted() {
        valueOmitted.increment();
    }

    PipelineStatus.Counts totals() {
        return new PipelineStatus.Counts((long) in.count(), (long) out.count(), (long) filtered.count(),
                (long) deduplicated.count(), (long) deadLettered.count(), (long) alreadyWritten.count(),
                (long) refused.count(), (long) valueOmitted.count(), Math.round(rate.perSecond() * 10) / 10.0);
    }

    List<PipelineStatus.StepCounts> steps() {
        List<PipelineStatus.StepCounts> steps = new ArrayList<>();
        steps.add(new PipelineStatus.StepCounts("parse", (long) in.count(), 0, 0, (long) parseDeadLettered.count()));
        for (int i = 0; i < stepLabels.size(); i++) {
            steps.add(new PipelineStatus.StepCounts(stepLabels.get(i), (long) stepIn.get(i).count(),
                    (long) stepFiltered.get(i).count(), (long) stepDeduplicated.get(i).count(),
                    (long) stepDeadLettered.get(i).count()));
        }
        return steps;
    }
}
