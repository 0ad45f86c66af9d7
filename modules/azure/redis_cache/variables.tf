variable "name" {
  description = "Cache name (globally unique host name prefix)."
  type        = string
}

variable "size" {
  description = "small, medium, large or xlarge (mapped to a capacity)."
  type        = string
  default     = "small"
}

variable "high_availability" {
  description = "Standard tier (a replica with failover) instead of Basic."
  type        = bool
  default     = true
}

variable "resource_group_name" {
  description = "Resource group to create the resources in."
  type        = string
}

variable "location" {
  description = "Azure region."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "principal_ids" {
  description = "Object ids of the managed identities of the workloads that use this resource."
  type        = list(string)
  default     = []
}
