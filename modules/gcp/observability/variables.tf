variable "name" {
  description = "Name of the observability entry (a label only)."
  type        = string
  default     = "observability"
}

variable "namespace" {
  description = "Project name: the log bucket, sink and alert policy are named after it."
  type        = string
}

variable "retention_days" {
  description = "Days the log bucket keeps the entries (30, 60, 90, 180 or 365)."
  type        = number
  default     = 30
}

variable "services" {
  description = "Names of the workloads (their service names): their log entries are routed to the bucket."
  type        = list(string)
  default     = []
}

variable "notification_channels" {
  description = "Cloud Monitoring notification channel ids the error alert notifies (none: it only opens incidents)."
  type        = list(string)
  default     = []
}

variable "project_id" {
  description = "Google Cloud project."
  type        = string
}

variable "region" {
  description = "Region of the log bucket."
  type        = string
}

variable "labels" {
  description = "Labels added to every resource that takes labels."
  type        = map(string)
  default     = {}
}

variable "members" {
  description = "IAM members (serviceAccount:...) of the workloads that send telemetry."
  type        = list(string)
  default     = []
}

variable "name_prefix" {
  description = "Start of the deployed names (<project>-<environment>-): the log bucket, sink and exclusion, and the Cloud Run names the filter matches."
  type        = string
  default     = ""
}
