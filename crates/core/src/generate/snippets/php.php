<?php
// Metrics and health endpoints for @@SERVICE@@ (Laravel + promphp/prometheus_client_php).
//
// routes/web.php:  require base_path('observability.php');
// Middleware:      call ObservabilityMetrics::record() after each request that is not a probe.
// Dependencies:    promphp/prometheus_client_php (with APCu or Redis storage).

use Illuminate\Support\Facades\DB;
use Illuminate\Support\Facades\Redis;
use Illuminate\Support\Facades\Route;
use Prometheus\CollectorRegistry;
use Prometheus\RenderTextFormat;

// The names the alerts and the dashboard use: http_requests_total and
// http_request_duration_seconds, registered by the middleware below.
final class ObservabilityMetrics
{
    public const PROBES = ['@@STARTUP@@', '@@LIVE@@', '@@READY@@', '/metrics'];

    public static function record(CollectorRegistry $registry, string $method, string $route, int $status, float $seconds): void
    {
        $registry->getOrRegisterCounter('', 'http_requests_total', 'HTTP requests', ['method', 'route', 'status'])
            ->inc([$method, $route, (string) $status]);
        $registry->getOrRegisterHistogram('', 'http_request_duration_seconds', 'HTTP request duration', ['method', 'route'])
            ->observe($seconds, [$method, $route]);
    }
}

Route::get('/metrics', function (CollectorRegistry $registry) {
    return response((new RenderTextFormat())->render($registry->getMetricFamilySamples()))
        ->header('Content-Type', RenderTextFormat::MIME_TYPE);
});

// Alive means the process answers; dependencies are readiness's job.
Route::get('@@LIVE@@', fn () => ['status' => 'alive']);

Route::get('@@STARTUP@@', function () {
    try {
        DB::select('SELECT 1');
    } catch (Throwable $error) {
        return response(['status' => 'starting', 'error' => $error->getMessage()], 503);
    }
    return ['status' => 'started'];
});

Route::get('@@READY@@', function () {
    try {
        DB::select('SELECT 1');
        if (env('REDIS_URL')) {
            Redis::ping();
        }
    } catch (Throwable $error) {
        return response(['status' => 'not ready', 'error' => $error->getMessage()], 503);
    }
    return ['status' => 'ready'];
});
