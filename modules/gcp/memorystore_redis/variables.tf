variable "name" {
  description = "Cache name."
  type        = string
}

variable "name_prefix" {
  description = "Start of the deployed names (<project>-<environment>-)."
  type        = string
  default     = ""
}

variable "size" {
  description = "small, medium, large or xlarge (mapped to memory size)."
  type        = string
  default     = "small"
}

variable "high_availability" {
  description = "Standard tier: a replica in another zone with automatic failover."
  type        = bool
  default     = true
}

variable "network_id" {
  description = "VPC network (id or self link) with private services access."
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

variable "private_services_connection" {
  description = "Id of the private services access peering (gcp/private_services): created before this."
  type        = string
  default     = null
}
