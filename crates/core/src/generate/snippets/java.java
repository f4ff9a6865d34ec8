// Metrics and health endpoints for @@SERVICE@@ (Spring Boot Actuator + Micrometer).
//
// Dependencies: spring-boot-starter-actuator, micrometer-registry-prometheus.
// application.yaml:
//   management:
//     endpoints.web.base-path: /
//     endpoints.web.exposure.include: health,prometheus
//     endpoints.web.path-mapping.prometheus: metrics
//     endpoint.health.probes.enabled: true
//     endpoint.health.group.live.include: livenessState        # @@LIVE@@: alive only
//     endpoint.health.group.startup.include: db                # @@STARTUP@@: database reached
//     endpoint.health.group.ready.include: readinessState,db,redis  # @@READY@@: every dependency
//     endpoint.health.group.live.additional-path: server:@@LIVE@@
//     endpoint.health.group.startup.additional-path: server:@@STARTUP@@
//     endpoint.health.group.ready.additional-path: server:@@READY@@
package com.example.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerMapping;

/** Counts requests as http_requests_total and times them as http_request_duration_seconds. */
@Component
public class MetricsFilter extends OncePerRequestFilter {
    private static final Set<String> PROBES = Set.of("@@STARTUP@@", "@@LIVE@@", "@@READY@@", "/metrics");
    private final MeterRegistry registry;

    public MetricsFilter(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (PROBES.contains(request.getRequestURI())) {
            chain.doFilter(request, response);
            return;
        }
        Timer.Sample sample = Timer.start(registry);
        try {
            chain.doFilter(request, response);
        } finally {
            Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
            String route = pattern == null ? "unmatched" : pattern.toString();
            sample.stop(Timer.builder("http_request_duration")
                    .tag("method", request.getMethod()).tag("route", route)
                    .publishPercentileHistogram().register(registry));
            Counter.builder("http_requests")
                    .tag("method", request.getMethod()).tag("route", route)
                    .tag("status", Integer.toString(response.getStatus()))
                    .register(registry).increment();
        }
    }
}
