variable "name" {
  description = "Database name (also names its logical server)."
  type        = string
}

variable "name_prefix" {
  description = "Start of the deployed names (<project>-<environment>-)."
  type        = string
  default     = ""
}

variable "size" {
  description = "small, medium, large or xlarge (mapped to a vCore SKU)."
  type        = string
  default     = "small"
}

variable "storage_gb" {
  description = "Maximum database size in GB."
  type        = number
  default     = 20
}

variable "high_availability" {
  description = "Zone-redundant database."
  type        = bool
  default     = true
}

variable "backup_retention_days" {
  description = "Days of point-in-time restore."
  type        = number
  default     = 7
}

variable "administrator_group_object_id" {
  description = "Microsoft Entra group that administers the server (Entra-only authentication)."
  type        = string
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

variable "client_principals" {
  description = "By workload name: the object id of the managed identity of each workload that uses this database; each gets a contained user of that name (grant_sql)."
  type        = map(string)
  default     = {}
}

variable "private_dns_zone_ids" {
  description = "Private DNS zone id by service (azure/private_dns_zones): the private endpoint registers there."
  type        = map(string)
}

variable "subnet_id" {
  description = "Subnet of the private endpoint the workloads reach the server through."
  type        = string
}
