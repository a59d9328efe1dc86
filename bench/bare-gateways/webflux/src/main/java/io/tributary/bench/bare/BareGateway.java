package io.tributary.bench.bare;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Spring Cloud Gateway on WebFlux (Reactor Netty) and nothing else: one route to {@code --up}, no security, filters, breakers of
 * ours. The floor the real gateway is measured against (bench/run-bare-gateways.sh).
 */
@SpringBootApplication
public class BareGateway {

    public static void main(String[] args) {
        SpringApplication.run(BareGateway.class, args);
    }
}
