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
  description = "Minimum Kubernetes minor version (the REGULAR release channel upgrades it)."
  type        = string
  default     = null
}

variable "node_count" {
  description = "Nodes per zone in the node pool."
  type        = number
  default     = 1
}

variable "node_size" {
  description = "small, medium, large or xlarge (mapped to a machine type)."
  type        = string
  default     = "medium"
}

variable "network_id" {
  description = "VPC network (id or self link) of the cluster."
  type        = string
}

variable "workload_namespace" {
  description = "Namespace of the Kubernetes service account whose identity resources grant access to."
  type        = string
  default     = "default"
}

variable "workload_service_account" {
  description = "Kubernetes service account whose identity resources grant access to."
  type        = string
  default     = "app"
}

variable "project_id" {
  description = "Google Cloud project."
  type        = string
}

variable "region" {
  description = "Region of the resources."
  type        = string
}

variable "labels" {
  description = "Labels added to every resource that takes them."
  type        = map(string)
  default     = {}
}

variable "master_ipv4_cidr_block" {
  description = "/28 private range of the control plane; null: one derived from the project and cluster name."
  type        = string
  default     = null
  validation {
    condition     = var.master_ipv4_cidr_block == null || can(regex("^(10|172\\.(1[6-9]|2[0-9]|3[01])|192\\.168)\\..*/28$", var.master_ipv4_cidr_block))
    error_message = "master_ipv4_cidr_block must be a /28 in 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16."
  }
}

variable "cluster_index" {
  description = "This cluster's number among the deployment's clusters (infrar infra sets it): its control-plane slot."
  type        = number
  default     = 0
  validation {
    condition     = var.cluster_index >= 0 && var.cluster_index < 16 && floor(var.cluster_index) == var.cluster_index
    error_message = "cluster_index must be a whole number from 0 to 15 (16 clusters per deployment; set master_ipv4_cidr_block beyond)."
  }
}
