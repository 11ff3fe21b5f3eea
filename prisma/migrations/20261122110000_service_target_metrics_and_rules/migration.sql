-- AlterTable
ALTER TABLE "service_targets" ADD COLUMN     "cpu_metric" TEXT NOT NULL DEFAULT 'process_cpu_usage_ratio',
ADD COLUMN     "duration_metric" TEXT NOT NULL DEFAULT 'http_request_duration_seconds',
ADD COLUMN     "max_error_rate" DOUBLE PRECISION,
ADD COLUMN     "max_latency_p95_seconds" DOUBLE PRECISION,
ADD COLUMN     "max_latency_p99_seconds" DOUBLE PRECISION,
ADD COLUMN     "memory_metric" TEXT NOT NULL DEFAULT 'process_memory_usage_ratio',
ADD COLUMN     "min_requests" INTEGER,
ADD COLUMN     "requests_metric" TEXT NOT NULL DEFAULT 'http_requests_total',
ADD COLUMN     "status_label" TEXT NOT NULL DEFAULT 'status';

