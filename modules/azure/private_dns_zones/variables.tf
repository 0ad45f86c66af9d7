variable "resource_group_name" {
  description = "Resource group of the zones."
  type        = string
}

variable "virtual_network_id" {
  description = "Virtual network the workloads run in: the zones resolve there."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
