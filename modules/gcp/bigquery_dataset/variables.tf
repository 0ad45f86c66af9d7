variable "name" {
  description = "Warehouse name (the dataset id, with - replaced by _)."
  type        = string
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

variable "members" {
  description = "IAM members (serviceAccount:...) of the workloads that use this resource."
  type        = list(string)
  default     = []
}

variable "job_image" {
  description = "Container image the jobs run their Python script in: Python 3 with the script's dependencies (infrar[gcp], or google-cloud-* for an erased script)."
  type        = string
  default     = "python:3.12-slim"
}

variable "scripts_bucket_name" {
  description = "Bucket of the job scripts (default: \"<name>-jobs\", with _ replaced by -)."
  type        = string
  default     = null
}

variable "name_prefix" {
  description = "Start of deployed names (<project>-<environment>-): the scripts bucket's."
  type        = string
  default     = ""
}

variable "job_network_id" {
  description = "VPC network the Cloud Run jobs reach private IPs in (Cloud SQL, Memorystore) through Direct VPC egress, when the workloads starting jobs reach private databases or caches (set by infrar infra); null: none."
  type        = string
  default     = null
}
