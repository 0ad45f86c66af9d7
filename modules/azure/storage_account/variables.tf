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

variable "replication_type" {
  description = "LRS, ZRS, GRS or GZRS."
  type        = string
  default     = "GZRS"
}

variable "subnet_id" {
  description = "Subnet of the blob private endpoint (the workloads' virtual network)."
  type        = string
}

variable "private_dns_zone_ids" {
  description = "Private DNS zone id by service (private_dns_zones module): the endpoint registers in \"blob\"."
  type        = map(string)
}
