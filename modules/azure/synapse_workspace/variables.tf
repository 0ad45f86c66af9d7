variable "name" {
  description = "Warehouse name (the Synapse workspace, globally unique)."
  type        = string
}

variable "administrator_group_object_id" {
  description = "Microsoft Entra group that administers the workspace (Entra-only authentication)."
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

variable "principal_ids" {
  description = "Object ids of the managed identities of the workloads that use this resource."
  type        = list(string)
  default     = []
}

variable "spark_max_nodes" {
  description = "Most nodes the jobs' Spark pool scales to (at least 3)."
  type        = number
  default     = 3
}

variable "name_prefix" {
  description = "Start of the workspace name (<project>-<environment>-); a hash makes it globally unique."
  type        = string
  default     = ""
}

variable "client_identities" {
  description = "By workload name: the display name of the managed identity of each workload that uses this warehouse; each gets a serverless SQL user of that name (grant_sql)."
  type        = map(string)
  default     = {}
}

variable "job_private_endpoints" {
  description = "By resource name: the Private Link target (resource_id, subresource) of each private database or cache the workloads starting jobs reach; each gets a managed private endpoint from the workspace's managed virtual network (set by infrar infra)."
  type = map(object({
    resource_id = string
    subresource = string
  }))
  default = {}
}

variable "subnet_id" {
  description = "Subnet of the private endpoints the workloads reach the workspace and its data lake through."
  type        = string
}

variable "private_dns_zone_ids" {
  description = "Private DNS zone id by service (azure/private_dns_zones, with synapse_sql, synapse_dev, dfs and blob): the private endpoints register there."
  type        = map(string)
}
