package io.tributary.analytics.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.json.JsonMapper;

/**
 * The sketches against exact answers, within DataSketches' documented bounds: HLL relative
 * standard error {@code 1.04 / sqrt(2^lgK)} (three of them: 99.7% confidence), KLL normalised
 * rank error {@code getNormalizedRankError(false)} (99% confidence). Inputs are seeded, so the
 * outcome is deterministic.
 */
class SketchAccuracyTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void shouldEstimateDistinctCountsWithinThreeStandardErrors() {
        double rse = 1.04 / Math.sqrt(1 << Accumulators.HLL_LG_K);
        for (int distinct : new int[] {10, 1_000, 50_000, 300_000}) {
            Accumulators.Distinct accumulator = new Accumulators.Distinct();
            for (int i = 0; i < distinct * 2; i++) {
                accumulator.add(JSON.getNodeFactory().stringNode("user-" + (i % distinct)));
            }
            long estimate = (Long) accumulator.result();
            assertThat((double) Math.abs(estimate - distinct)).as("distinct %d", distinct)
                    .isLessThanOrEqualTo(Math.max(1, 3 * rse * distinct));
        }
    }

    @Test
    void shouldMergeDistinctSketchesLikeOneSketch() {
        Accumulators.Distinct a = new Accumulators.Distinct();
        Accumulators.Distinct b = new Accumulators.Distinct();
        for (int i = 0; i < 20_000; i++) {
            a.add(JSON.getNodeFactory().numberNode(i));
            b.add(JSON.getNodeFactory().numberNode(i + 10_000));
        }
        a.merge(b);
        double rse = 1.04 / Math.sqrt(1 << Accumulators.HLL_LG_K);
        assertThat((double) Math.abs((Long) a.result() - 30_000)).isLessThanOrEqualTo(3 * rse * 30_000);
    }

    @Test
    void shouldEstimatePercentilesWithinTheNormalisedRankError() {
        Random random = new Random(42);
        int n = 200_000;
        double[] values = new double[n];
        List<Double> ranks = List.of(0.01, 0.25, 0.5, 0.9, 0.99);
        Accumulators.Percentiles accumulator = new Accumulators.Percentiles(ranks);
        for (int i = 0; i < n; i++) {
            values[i] = Math.exp(random.nextGaussian()); // skewed, like amounts
            accumulator.add(JSON.getNodeFactory().numberNode(values[i]));
        }
        Arrays.sort(values);
        double epsilon = accumulator.sketch.getNormalizedRankError(false);
        @SuppressWarnings("unchecked")
        Map<String, Double> result = (Map<String, Double>) accumulator.result();
        assertThat(result).containsOnlyKeys("p1", "p25", "p50", "p90", "p99");
        for (double rank : ranks) {
            double estimate = result.get(AggregateSpec.label(rank));
            double trueRank = (double) lowerBound(values, estimate) / n;
            assertThat(Math.abs(trueRank - rank)).as("rank %s", rank).isLessThanOrEqualTo(epsilon);
        }
    }

    @Test
    void shouldGiveNoPercentilesForNoValues() {
        Accumulators.Percentiles accumulator = new Accumulators.Percentiles(List.of(0.5));
        accumulator.add(JSON.nullNode());
        assertThat(accumulator.result()).isNull();
    }

    private static int lowerBound(double[] sorted, double value) {
        int index = Arrays.binarySearch(sorted, value);
        if (index < 0) {
            return -index - 1;
        }
        while (index > 0 && sorted[index - 1] == value) {
            index--;
        }
        return index;
    }

}
