variable "name" {
  description = "Name of the observability entry (a label only)."
  type        = string
  default     = "observability"
}

variable "namespace" {
  description = "Project name: without name_prefix, the workspace is <namespace>-logs, the Application Insights resource <namespace>-insights."
  type        = string
}

variable "retention_days" {
  description = "Days the workspace and Application Insights keep the telemetry (30, 60, 90, 180 or 365)."
  type        = number
  default     = 30
}

variable "daily_quota_gb" {
  description = "Daily ingestion cap of the workspace in GB (-1: none), a guard against a logging loop's bill."
  type        = number
  default     = -1
}

variable "resource_group_name" {
  description = "Resource group to create the resources in."
  type        = string
}

variable "location" {
  description = "Azure region."
  type        = string
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
