package io.tributary.ingest.replication;

import io.tributary.ingest.problem.ProblemException;
import io.tributary.problem.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Answers every API request with a retriable 503 {@code node-not-ready} while {@link StorageGuard}
 * has not let this node into the cluster (its empty data folder is being checked, or was refused):
 * such a node knows no topic, and a 404 would tell a client that the topic does not exist, where
 * any other node would serve it. Health, metrics and the nodes' internal calls are not affected.
 */
@Configuration
@Order(Ordered.HIGHEST_PRECEDENCE)
@Conditional(ReplicationEnabledCondition.class)
class StorageGuardRequests implements WebMvcConfigurer, HandlerInterceptor {

    private final StorageGuard guard;

    StorageGuardRequests(StorageGuard guard) {
        this.guard = guard;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this).addPathPatterns("/api/**").order(Ordered.HIGHEST_PRECEDENCE);
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (!guard.hasJoined()) {
            throw new ProblemException(ProblemType.NODE_NOT_READY, guard.notReadyDetail());
        }
        return true;
    }
}
