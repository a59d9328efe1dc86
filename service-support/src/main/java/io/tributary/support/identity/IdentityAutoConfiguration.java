package io.tributary.support.identity;

import java.time.Clock;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * This application's {@link TokenMinter} from {@code tributary.identity.*} (the development profile of each
 * application.yml sets a secret; without one the start fails naming the property). Outside the development profile a placeholder secret stops the
 * start with a message naming the property ({@link Secrets}).
 */
@AutoConfiguration
@EnableConfigurationProperties(IdentityProperties.class)
public class IdentityAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TokenMinter tokenMinter(IdentityProperties properties, Environment environment) {
        Secrets.requireReal(environment, IdentityProperties.SECRET_PROPERTY, properties.secret());
        String name = properties.name() != null && !properties.name().isBlank() ? properties.name()
                : environment.getProperty("spring.application.name");
        return new TokenMinter(name, properties.secret(), properties.tokenTtl(), Clock.systemUTC());
    }
}
