package io.tributary.clean.config;

import java.time.Clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.scheduling.annotation.EnableScheduling;

import io.tributary.clean.step.RecordLimits;
import io.tributary.clean.step.RegexBudget;
import io.tributary.clean.step.StepFactory;
import io.tributary.clean.step.enrich.ReferenceLookup;
import io.tributary.support.identity.Secrets;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(CleanProperties.class)
@EnableScheduling
class CleanConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(CleanConfiguration.class);

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    StepFactory stepFactory(CleanProperties properties, Clock clock, ReferenceLookup references,
                            Environment environment) {
        // Anyone who knows the salt can recompute a masked value's hash from a guess: outside the development
        // profile the built-in salt (or a placeholder) refuses to start.
        Secrets.requireReal(environment, "clean.mask-salt", properties.maskSalt());
        if (Secrets.isPlaceholder(properties.maskSalt())) {
            LOG.warn("clean.mask-salt is the built-in development value; set it per deployment so mask hashes cannot"
                    + " be recomputed");
        }
        CleanProperties.Runner runner = properties.runner();
        return new StepFactory(properties.maskSalt(), clock, references,
                new RecordLimits(runner.maxValueDepth(), runner.maxFuture(), runner.maxPast(),
                        new RegexBudget(runner.regexBudget(), runner.regexBudgetPerChar())));
    }
}
