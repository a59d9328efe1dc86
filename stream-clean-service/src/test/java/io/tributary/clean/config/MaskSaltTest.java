package io.tributary.clean.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.clean.step.StepFactory;
import io.tributary.clean.step.enrich.ReferenceLookup;
import io.tributary.support.identity.Secrets;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class MaskSaltTest {

    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(CleanConfiguration.class)
            .withBean(ReferenceLookup.class, () -> ReferenceLookup.NONE);

    @Test
    void theDevelopmentProfileRunsWithTheBuiltInSalt() {
        runner.run(context -> assertThat(context.getBean(StepFactory.class).maskSalt())
                .isEqualTo("tributary-default-salt"));
    }

    @Test
    void anotherProfileRefusesTheBuiltInSaltAndNamesTheProperty() {
        runner.withPropertyValues("spring.profiles.active=prod")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .isInstanceOf(Secrets.InsecureSecretException.class)
                        .hasMessageContaining("clean.mask-salt"));
    }

    @Test
    void anotherProfileRefusesAPlaceholderSalt() {
        runner.withPropertyValues("spring.profiles.active=prod", "clean.mask-salt=replace-me")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("clean.mask-salt is a development or placeholder value"));
    }

    @Test
    void anotherProfileStartsWithARealSalt() {
        runner.withPropertyValues("spring.profiles.active=prod", "clean.mask-salt=Zq8v1Lr0Tx6pN3wK9yB4mC7dF2gH5jS")
                .run(context -> assertThat(context.getBean(StepFactory.class).maskSalt())
                        .isEqualTo("Zq8v1Lr0Tx6pN3wK9yB4mC7dF2gH5jS"));
    }
}
