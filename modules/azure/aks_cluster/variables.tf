variable "name" {
  description = "Cluster name."
  type        = string
}

variable "name_prefix" {
  description = "Start of the deployed names (<project>-<environment>-)."
  type        = string
  default     = ""
}

variable "kubernetes_version" {
  description = "Kubernetes minor version (patch upgrades are automatic)."
  type        = string
  default     = null
}

variable "node_count" {
  description = "Nodes in the system node pool."
  type        = number
  default     = 3
}

variable "node_size" {
  description = "small, medium, large or xlarge (mapped to a VM size)."
  type        = string
  default     = "medium"
}

variable "subnet_id" {
  description = "Subnet of the nodes."
  type        = string
}

variable "administrator_group_object_id" {
  description = "Microsoft Entra group of the cluster administrators (Kubernetes RBAC through Entra ID)."
  type        = string
}

variable "workload_namespace" {
  description = "Namespace of the Kubernetes service account federated with the workload identity."
  type        = string
  default     = "default"
}

variable "workload_service_account" {
  description = "Kubernetes service account federated with the workload identity."
  type        = string
  default     = "app"
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
