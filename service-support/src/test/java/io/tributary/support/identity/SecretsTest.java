package io.tributary.support.identity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class SecretsTest {

    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(IdentityAutoConfiguration.class))
            .withPropertyValues("spring.application.name=stream-clean");

    @Test
    void theDevelopmentProfileAcceptsTheBuiltInSecret() {
        runner.withPropertyValues("tributary.identity.secret=dev-only-stream-clean-identity-secret-0001")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(TokenMinter.class).issuer()).isEqualTo("stream-clean");
                });
    }

    @Test
    void anotherProfileRefusesToStartWithADevelopmentSecretAndNamesTheProperty() {
        runner.withPropertyValues("spring.profiles.active=prod",
                        "tributary.identity.secret=dev-only-stream-clean-identity-secret-0001")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .isInstanceOf(Secrets.InsecureSecretException.class)
                        .hasMessageContaining("tributary.identity.secret")
                        .hasMessageContaining("[prod]"));
    }

    @Test
    void anotherProfileRefusesToStartWithoutASecretAndNamesTheProperty() {
        runner.withPropertyValues("spring.profiles.active=postgres")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("tributary.identity.secret is not set"));
    }

    @Test
    void anotherProfileStartsWithARealSecret() {
        runner.withPropertyValues("spring.profiles.active=prod", "tributary.identity.name=analytics",
                        "tributary.identity.secret=k7Qp2v9XzL4mN8rT1wY6bC3dF5gH0jKs")
                .run(context -> assertThat(context.getBean(TokenMinter.class).issuer()).isEqualTo("analytics"));
    }

    @Test
    void placeholdersAreRecognised() {
        assertThat(Secrets.isPlaceholder("replace-me")).isTrue();
        assertThat(Secrets.isPlaceholder("tributary-dev-key")).isTrue();
        assertThat(Secrets.isPlaceholder(" ")).isTrue();
        assertThat(Secrets.isPlaceholder("CHANGEME-please")).isTrue();
        assertThat(Secrets.isPlaceholder("k7Qp2v9XzL4mN8rT1wY6bC3dF5gH0jKs")).isFalse();
    }
}
