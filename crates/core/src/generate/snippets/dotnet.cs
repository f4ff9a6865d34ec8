// Metrics and health endpoints for @@SERVICE@@ (ASP.NET Core + prometheus-net).
//
// Use in Program.cs:  Observability.Install(app);   after builder.Services.AddObservability(config)
// Dependencies:       prometheus-net.AspNetCore, AspNetCore.HealthChecks.NpgSql / .Redis when used.
using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Prometheus;

public static class Observability
{
    // The names the alerts and the dashboard use.
    private static readonly Counter Requests = Metrics.CreateCounter(
        "http_requests_total", "HTTP requests", new CounterConfiguration { LabelNames = new[] { "method", "route", "status" } });
    private static readonly Histogram Duration = Metrics.CreateHistogram(
        "http_request_duration_seconds", "HTTP request duration", new HistogramConfiguration { LabelNames = new[] { "method", "route" } });
    private static readonly HashSet<string> Probes = new() { "@@STARTUP@@", "@@LIVE@@", "@@READY@@", "/metrics" };

    public static IServiceCollection AddObservability(this IServiceCollection services, IConfiguration config)
    {
        var checks = services.AddHealthChecks();
        if (config["DATABASE_URL"] is { } database) checks.AddNpgSql(database, tags: new[] { "startup", "ready" });
        if (config["REDIS_URL"] is { } redis) checks.AddRedis(redis, tags: new[] { "ready" });
        return services;
    }

    public static void Install(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (Probes.Contains(context.Request.Path)) { await next(); return; }
            var watch = Stopwatch.StartNew();
            await next();
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
            Duration.WithLabels(context.Request.Method, route).Observe(watch.Elapsed.TotalSeconds);
            Requests.WithLabels(context.Request.Method, route, context.Response.StatusCode.ToString()).Inc();
        });
        app.MapMetrics("/metrics");
        // Alive means the process answers; dependencies are readiness's job.
        app.MapHealthChecks("@@LIVE@@", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("@@STARTUP@@", new HealthCheckOptions { Predicate = c => c.Tags.Contains("startup") });
        app.MapHealthChecks("@@READY@@", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
    }
}
