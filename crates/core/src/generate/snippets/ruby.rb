# Metrics and health endpoints for @@SERVICE@@ (Rack + prometheus-client).
#
# config.ru:     use Observability::Metrics; use Prometheus::Middleware::Exporter, path: "/metrics"
# routes.rb:     get "@@LIVE@@", to: Observability.live; get "@@STARTUP@@", to: Observability.startup
#                get "@@READY@@", to: Observability.ready
# Dependencies:  prometheus-client, and pg / redis when you use them.
require "prometheus/client"
require "prometheus/middleware/exporter"

module Observability
  REGISTRY = Prometheus::Client.registry
  # The names the alerts and the dashboard use.
  REQUESTS = REGISTRY.counter(:http_requests_total, docstring: "HTTP requests", labels: %i[method route status])
  DURATION = REGISTRY.histogram(:http_request_duration_seconds, docstring: "HTTP request duration", labels: %i[method route])
  PROBES = ["@@STARTUP@@", "@@LIVE@@", "@@READY@@", "/metrics"].freeze

  class Metrics
    def initialize(app)
      @app = app
    end

    def call(env)
      return @app.call(env) if PROBES.include?(env["PATH_INFO"])

      started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
      status, headers, body = @app.call(env)
      route = env["action_dispatch.route_uri_pattern"] || "unmatched"
      labels = { method: env["REQUEST_METHOD"], route: route }
      DURATION.observe(Process.clock_gettime(Process::CLOCK_MONOTONIC) - started, labels: labels)
      REQUESTS.increment(labels: labels.merge(status: status.to_s))
      [status, headers, body]
    end
  end

  def self.check_database
    ActiveRecord::Base.connection.execute("SELECT 1") if ENV["DATABASE_URL"]
  end

  def self.check_cache
    Redis.new(url: ENV["REDIS_URL"], timeout: 2).ping if ENV["REDIS_URL"]
  end

  def self.respond(ok)
    yield
    [200, { "content-type" => "application/json" }, [%({"status":"#{ok}"})]]
  rescue StandardError => e
    [503, { "content-type" => "application/json" }, [%({"status":"unavailable","error":#{e.message.to_json}})]]
  end

  # Alive means the process answers; dependencies are readiness's job.
  def self.live = ->(_env) { respond("alive") {} }
  def self.startup = ->(_env) { respond("started") { check_database } }
  def self.ready = ->(_env) { respond("ready") { check_database; check_cache } }
end
