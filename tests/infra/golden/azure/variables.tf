variable "project_name" {
  description = "Project name, added to every resource's tags or labels."
  type        = string
  default     = "shop"
}

variable "administrator_group_object_id" {
  description = "Microsoft Entra group that administers SQL databases, Synapse and AKS."
  type        = string
}

variable "location" {
  description = "Azure region (the prices of infrar cost are East US's)."
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
