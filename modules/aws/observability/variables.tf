variable "name" {
  description = "Name of the observability entry (a label only)."
  type        = string
  default     = "observability"
}

variable "namespace" {
  description = "Project name: the log group is /infrar/<namespace>, the metrics namespace <namespace>."
  type        = string
}

variable "retention_days" {
  description = "Days CloudWatch Logs keeps the log events (30, 60, 90, 180 or 365)."
  type        = number
  default     = 30
}

variable "services" {
  description = "Names of the workloads that send telemetry (tagged on the log store as infrar-services)."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "name_prefix" {
  description = "Start of the deployed names (<project>-<environment>-); empty: the namespace is used."
  type        = string
  default     = ""
}
