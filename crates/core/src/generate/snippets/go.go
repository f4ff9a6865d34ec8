// Package observability: metrics and health endpoints for @@SERVICE@@ (net/http +
// client_golang).
//
// Use:          mux := http.NewServeMux(); handler := observability.Install(mux, db, pingCache)
// Dependencies: github.com/prometheus/client_golang
package observability

import (
	"context"
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// The names the alerts and the dashboard use.
var (
	requests = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "http_requests_total", Help: "HTTP requests",
	}, []string{"method", "route", "status"})
	duration = promauto.NewHistogramVec(prometheus.HistogramOpts{
		Name: "http_request_duration_seconds", Help: "HTTP request duration",
	}, []string{"method", "route"})
)

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

// Install adds /metrics and the three health endpoints to mux and returns a handler that
// measures every other request. db and pingCache may be nil.
func Install(mux *http.ServeMux, db *sql.DB, pingCache func(context.Context) error) http.Handler {
	check := func(ctx context.Context, withCache bool) error {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if db != nil {
			if err := db.PingContext(ctx); err != nil {
				return err
			}
		}
		if withCache && pingCache != nil {
			return pingCache(ctx)
		}
		return nil
	}
	mux.Handle("/metrics", promhttp.Handler())
	// Alive means the process answers; dependencies are readiness's job.
	mux.HandleFunc("@@LIVE@@", func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(`{"status":"alive"}`))
	})
	mux.HandleFunc("@@STARTUP@@", func(w http.ResponseWriter, r *http.Request) {
		if err := check(r.Context(), false); err != nil {
			http.Error(w, `{"status":"starting"}`, http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte(`{"status":"started"}`))
	})
	mux.HandleFunc("@@READY@@", func(w http.ResponseWriter, r *http.Request) {
		if err := check(r.Context(), true); err != nil {
			http.Error(w, `{"status":"not ready"}`, http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte(`{"status":"ready"}`))
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, route := mux.Handler(r)
		if route == "" {
			route = "unmatched"
		}
		started := time.Now()
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		mux.ServeHTTP(rec, r)
		duration.WithLabelValues(r.Method, route).Observe(time.Since(started).Seconds())
		requests.WithLabelValues(r.Method, route, strconv.Itoa(rec.status)).Inc()
	})
}
