variable "project_name" {
  description = "Project name: in every resource's tags or labels, and the start of deployed names."
  type        = string
  default     = "shop"
}

variable "environment_name" {
  description = "Environment (prod, staging, dev ...): with project_name, the prefix of every deployed name."
  type        = string
  default     = "prod"
}

variable "administrator_group_object_id" {
  description = "Microsoft Entra group that administers SQL databases, Synapse and AKS."
  type        = string
}

variable "container_apps_subnet_id" {
  description = "Subnet delegated to Microsoft.App/environments (/27 or larger) the container apps run in."
  type        = string
}

variable "existing_private_dns_zone_ids" {
  description = "Private DNS zones to reuse by service (postgres, sql, redis, blob, synapse_sql, synapse_dev, dfs), e.g. another deployment's in the same resource group: privatelink zone names are fixed."
  type        = map(string)
  default     = {}
}

variable "link_existing_private_dns_zones" {
  description = "Link the reused zones to virtual_network_id (false when they already resolve there)."
  type        = bool
  default     = true
}

variable "location" {
  description = "Azure region (default: regions.azure of project.yaml, which infrar cost prices; else eastus)."
  type        = string
  default     = "eastus"
}

variable "resource_group_name" {
  description = "Existing resource group to deploy into."
  type        = string
}

variable "subnet_id" {
  description = "Subnet for private endpoints and the AKS nodes."
  type        = string
}

variable "virtual_network_id" {
  description = "Virtual network of the subnets: the databases' private DNS zones are linked to it."
  type        = string
}
