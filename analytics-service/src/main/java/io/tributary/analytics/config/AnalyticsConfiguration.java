package io.tributary.analytics.config;

import java.time.Clock;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.tributary.client.ClientSettings;
import io.tributary.client.IngestClient;
import io.tributary.client.producer.IngestProducer;
import io.tributary.client.producer.ProducerSettings;
import io.tributary.support.identity.TokenMinter;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AnalyticsProperties.class)
class AnalyticsConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** Every call to ingest is made as {@code Service:analytics} (a bearer token of this service's identity). */
    static ClientSettings ingestSettings(AnalyticsProperties properties, TokenMinter identity) {
        return ClientSettings.of(properties.ingestUrl()).withRequestTimeout(properties.runner().requestTimeout())
                .withExtraHeaders(identity::authorizationHeaders);
    }

    @Bean
    IngestClient ingestClient(AnalyticsProperties properties, TokenMinter identity) {
        return IngestClient.create(ingestSettings(properties, identity));
    }

    /** Publishes results to output topics; jobs send under their own producer identities, so none of its own. */
    @Bean(destroyMethod = "close")
    IngestProducer resultProducer(AnalyticsProperties properties, TokenMinter identity) {
        return IngestProducer.create(ProducerSettings.builder(ingestSettings(properties, identity)).idempotent(false)
                .build());
    }
}
