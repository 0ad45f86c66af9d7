# Where infrar.observability sends telemetry on GCP: the workloads' log entries are routed to a
# log bucket of their own (retention_days) instead of _Default, an alert policy opens an incident
# when they log an error, and the workloads may write logs, metrics and traces (the three roles).
# Log entries are matched by what the adapter writes: logName projects/<p>/logs/<service> through
# the Logging API, or stdout on Cloud Run (resource labels carry the service, job or pool name).

locals {
  # the deployment's own: <project>-<environment>-logs
  bucket_id = "${var.name_prefix}logs"
  roles     = ["roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/cloudtrace.agent"]
  # Cloud Run names its resources' labels after the deployed names: the rule of the Cloud Run
  # modules' names.tf (tests/infra/test_names.py checks that the two agree)
  deployed  = [for s in var.services : length("${var.name_prefix}${s}") <= 49 ? "${var.name_prefix}${s}" : "${trimsuffix(substr("${var.name_prefix}${s}", 0, 40), "-")}-${substr(sha1("${var.name_prefix}${s}"), 0, 8)}"]
  names     = join(" OR ", [for s in local.deployed : "\"${s}\""])
  log_names = join(" OR ", [for s in var.services : "\"projects/${var.project_id}/logs/${s}\""])
  filter = length(var.services) == 0 ? "logName=\"projects/${var.project_id}/logs/${var.namespace}\"" : join(" OR ", [
    "logName=(${local.log_names})",
    "resource.labels.service_name=(${local.names})",
    "resource.labels.job_name=(${local.names})",
    "resource.labels.worker_pool_name=(${local.names})",
  ])
}

resource "google_logging_project_bucket_config" "this" {
  project        = var.project_id
  location       = var.region
  bucket_id      = local.bucket_id
  retention_days = var.retention_days
  description    = "Log entries of the workloads of ${var.namespace} (infrar.observability)"
}

resource "google_logging_project_sink" "this" {
  name                   = "${var.name_prefix}logs"
  project                = var.project_id
  destination            = "logging.googleapis.com/projects/${var.project_id}/locations/${var.region}/buckets/${local.bucket_id}"
  filter                 = local.filter
  unique_writer_identity = true
  depends_on             = [google_logging_project_bucket_config.this]
}

# The same entries are kept out of _Default, so they are stored (and charged) once.
resource "google_logging_project_exclusion" "default" {
  name        = "${var.name_prefix}logs"
  project     = var.project_id
  description = "Routed to the ${local.bucket_id} bucket by sink ${google_logging_project_sink.this.name}"
  filter      = local.filter
}

resource "google_monitoring_alert_policy" "errors" {
  project               = var.project_id
  display_name          = "${var.namespace}: errors logged"
  combiner              = "OR"
  notification_channels = var.notification_channels
  user_labels           = var.labels
  conditions {
    display_name = "A workload of ${var.namespace} logged an error"
    condition_matched_log {
      filter = "severity>=ERROR AND (${local.filter})"
    }
  }
  alert_strategy {
    notification_rate_limit {
      period = "300s"
    }
    auto_close = "1800s"
  }
  documentation {
    content   = "A workload of ${var.namespace} logged at severity ERROR or above; the entries are in log bucket ${local.bucket_id}."
    mime_type = "text/markdown"
  }
}

resource "google_project_iam_member" "telemetry" {
  for_each = { for pair in setproduct(local.roles, var.members) : "${pair[0]} ${pair[1]}" => pair }
  project  = var.project_id
  role     = each.value[0]
  member   = each.value[1]
}
