variable "name" {
  description = "Database name (also names the instance)."
  type        = string
}

variable "name_prefix" {
  description = "Start of the deployed names (<project>-<environment>-)."
  type        = string
  default     = ""
}

variable "size" {
  description = "small, medium, large or xlarge (mapped to a machine tier)."
  type        = string
  default     = "small"
}

variable "storage_gb" {
  description = "Disk size in GB (grows automatically)."
  type        = number
  default     = 20
}

variable "high_availability" {
  description = "Regional (two-zone) instance with automatic failover."
  type        = bool
  default     = true
}

variable "backup_retention_days" {
  description = "Days of automated backups kept."
  type        = number
  default     = 7
}

variable "network_id" {
  description = "VPC network (id or self link) with private services access: the instance has no public IP."
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

variable "client_members" {
  description = "By workload name: the IAM member (serviceAccount:...) of each workload that uses this database; each gets its own IAM database user."
  type        = map(string)
  default     = {}
}

variable "private_services_connection" {
  description = "Id of the private services access peering (gcp/private_services): created before this."
  type        = string
  default     = null
}
