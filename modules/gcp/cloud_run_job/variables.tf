variable "name" {
  description = "Job name."
  type        = string
}

variable "container_image" {
  description = "Container image to run."
  type        = string
}

variable "cpu" {
  description = "vCPUs per instance."
  type        = number
  default     = 1
}

variable "memory" {
  description = "Memory per instance in MiB."
  type        = number
  default     = 512
}

variable "min_instances" {
  description = "Unused by jobs (kept for a uniform interface)."
  type        = number
  default     = 0
}

variable "max_instances" {
  description = "Tasks run in parallel per execution."
  type        = number
  default     = 4
}

variable "env" {
  description = "Extra environment variables of the project (no secrets)."
  type        = map(string)
  default     = {}
}

variable "environment" {
  description = "Native configuration the infrar adapters read (GOOGLE_CLOUD_PROJECT ...)."
  type        = map(string)
  default     = {}
}

variable "schedule" {
  description = "Cron expression (UTC) that starts the job; null: started on demand."
  type        = string
  default     = null
}

variable "project_id" {
  description = "Google Cloud project."
  type        = string
}

variable "region" {
  description = "Region of the resources."
  type        = string
}

variable "labels" {
  description = "Labels added to every resource that takes them."
  type        = map(string)
  default     = {}
}
