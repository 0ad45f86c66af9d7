variable "name" {
  description = "Cache name: the name the application passes to infrar.cache (REDIS_URL_<NAME>)."
  type        = string
}

variable "name_prefix" {
  description = "Start of the deployed names (<project>-<environment>-)."
  type        = string
  default     = ""
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

variable "subnet_id" {
  description = "Subnet of the private endpoint the workloads reach the cache through."
  type        = string
}

variable "private_dns_zone_ids" {
  description = "Private DNS zone id by service (azure/private_dns_zones): the private endpoint registers there."
  type        = map(string)
}
