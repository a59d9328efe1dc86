package io.tributary.analytics.config;

import java.time.Clock;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.tributary.client.ClientSettings;
import io.tributary.client.IngestClient;
import io.tributary.client.producer.IngestProducer;
import io.tributary.client.producer.ProducerSettings;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AnalyticsProperties.class)
class AnalyticsConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    IngestClient ingestClient(AnalyticsProperties properties) {
        return IngestClient.create(ClientSettings.of(properties.ingestUrl())
                .withRequestTimeout(properties.runner().requestTimeout()));
    }

    /** Publishes results to output topics; jobs send under their own producer identities, so none of its own. */
    @Bean(destroyMethod = "close")
    IngestProducer resultProducer(AnalyticsProperties properties) {
        return IngestProducer.create(ProducerSettings.builder(ClientSettings.of(properties.ingestUrl())
                .withRequestTimeout(properties.runner().requestTimeout())).idempotent(false).build());
    }
}
