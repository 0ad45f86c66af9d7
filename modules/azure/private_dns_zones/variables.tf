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

variable "name_prefix" {
  description = "Start of the deployed names (<project>-<environment>-): the virtual network links'."
  type        = string
  default     = ""
}

variable "existing_private_dns_zone_ids" {
  description = "Zones to use instead of creating them, by service (postgres, sql, redis, blob, synapse_sql, synapse_dev, dfs): e.g. another deployment's module.private_dns_zones.ids in the same resource group, or a hub's."
  type        = map(string)
  default     = {}
  validation {
    condition     = alltrue([for key in keys(var.existing_private_dns_zone_ids) : contains(["postgres", "sql", "redis", "blob", "synapse_sql", "synapse_dev", "dfs"], key)])
    error_message = "existing_private_dns_zone_ids takes the services postgres, sql, redis, blob, synapse_sql, synapse_dev and dfs."
  }
  validation {
    condition     = alltrue([for id in values(var.existing_private_dns_zone_ids) : can(regex("(?i)/resourceGroups/[^/]+/providers/Microsoft.Network/privateDnsZones/privatelink\\.[^/]+$", id))])
    error_message = "existing_private_dns_zone_ids takes private DNS zone ids: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/privateDnsZones/privatelink.<domain>."
  }
}

variable "link_existing_private_dns_zones" {
  description = "Link the existing zones to virtual_network_id (false when they already resolve there: a zone links a network once)."
  type        = bool
  default     = true
}

variable "kinds" {
  description = "Kinds of the project's resources (set by infrar infra): a warehouse adds the Synapse and data lake (dfs) zones."
  type        = list(string)
  default     = []
}
