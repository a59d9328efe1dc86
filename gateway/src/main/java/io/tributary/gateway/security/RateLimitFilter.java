package io.tributary.gateway.security;

import static io.tributary.support.problem.ProblemHandlerSupport.problem;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import io.tributary.gateway.web.Problems;
import io.tributary.problem.ProblemType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import org.springframework.http.ProblemDetail;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * One resilience4j {@link RateLimiter} per caller ({@link Caller}: an API key, named after the key's name, or a
 * token subject): a request over the caller's rate is answered at once with 429 problem+json and
 * {@code Retry-After} (whole seconds until the next permit). Anonymous requests (the public paths) are not limited
 * here.
 */
public class RateLimitFilter extends OncePerRequestFilter {

    private final RateLimiterRegistry registry = RateLimiterRegistry.ofDefaults();
    private final SecurityProperties.RateLimit defaults;
    private final SecurityProperties.RateLimit tokenDefaults;
    private final Problems problems;

    public RateLimitFilter(SecurityProperties properties, Problems problems) {
        this.defaults = properties.rateLimit();
        this.tokenDefaults = properties.jwt().rateLimit() != null ? properties.jwt().rateLimit() : defaults;
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Caller caller = Caller.current();
        if (caller == null) {
            chain.doFilter(request, response);
            return;
        }
        SecurityProperties.RateLimit limit = limit(caller);
        RateLimiter limiter = registry.rateLimiter(caller.scheme().name().toLowerCase(Locale.ROOT) + ":"
                + caller.name(), () -> config(limit));
        if (limiter.acquirePermission()) {
            chain.doFilter(request, response);
            return;
        }
        long retryAfter = retryAfterSeconds(limiter);
        ProblemDetail problem = problem(ProblemType.RATE_LIMITED, caller.describe() + " may send "
                + limit.limitForPeriod() + " requests per " + limit.refreshPeriod() + "; retry after " + retryAfter + " s");
        problem.setProperty("retryAfterSeconds", retryAfter);
        response.setHeader("Retry-After", Long.toString(retryAfter));
        problems.write(response, problem);
    }

    private SecurityProperties.RateLimit limit(Caller caller) {
        if (caller.rateLimit() != null) {
            return caller.rateLimit();
        }
        return caller.scheme() == Caller.Scheme.BEARER_TOKEN ? tokenDefaults : defaults;
    }

    private static RateLimiterConfig config(SecurityProperties.RateLimit limit) {
        return RateLimiterConfig.custom()
                .limitForPeriod(limit.limitForPeriod())
                .limitRefreshPeriod(limit.refreshPeriod())
                .timeoutDuration(Duration.ZERO) // never park a request thread waiting for a permit
                .build();
    }

    private static long retryAfterSeconds(RateLimiter limiter) {
        long nanos = limiter instanceof AtomicRateLimiter atomic
                ? atomic.getDetailedMetrics().getNanosToWait()
                : limiter.getRateLimiterConfig().getLimitRefreshPeriod().toNanos();
        return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
    }
}
