variable "name" {
  description = "Database name (the server is <project>-<environment>-<name>-<hash>, names.tf)."
  type        = string
}

variable "name_prefix" {
  description = "Start of the deployed names (<project>-<environment>-)."
  type        = string
  default     = ""
}

variable "size" {
  description = "small | medium | large | xlarge (the SKU table in main.tf)."
  type        = string
  default     = "small"
  validation {
    condition     = contains(["small", "medium", "large", "xlarge"], var.size)
    error_message = "size must be small, medium, large or xlarge."
  }
}

variable "storage_gb" {
  description = "Storage in GB (rounded up to the next size Flexible Server offers)."
  type        = number
  default     = 32
  validation {
    condition     = var.storage_gb >= 1 && var.storage_gb <= 16384
    error_message = "storage_gb must be between 1 and 16384."
  }
}

variable "high_availability" {
  description = "Zone-redundant standby."
  type        = bool
  default     = false
}

variable "backup_retention_days" {
  description = "Point-in-time restore window (7-35 days)."
  type        = number
  default     = 7
  validation {
    condition     = var.backup_retention_days >= 7 && var.backup_retention_days <= 35
    error_message = "Flexible Server keeps backups 7 to 35 days."
  }
}

variable "engine_version" {
  description = "PostgreSQL major version."
  type        = string
  default     = "16"
}

variable "administrator_group_object_id" {
  description = "Microsoft Entra group that administers the server."
  type        = string
}

variable "subnet_id" {
  description = "Subnet of the private endpoint the workloads reach the server through."
  type        = string
}

variable "resource_group_name" {
  description = "Resource group."
  type        = string
}

variable "location" {
  description = "Azure region."
  type        = string
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = {}
}

variable "client_principals" {
  description = "By workload name: the object id of the managed identity of each workload that uses this database; each gets its own Entra role of that name (grant_sql)."
  type        = map(string)
  default     = {}
}

variable "private_dns_zone_ids" {
  description = "Private DNS zone id by service (azure/private_dns_zones): the private endpoint registers there."
  type        = map(string)
}
