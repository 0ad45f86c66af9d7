variable "name" {
  description = "Cluster name."
  type        = string
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
