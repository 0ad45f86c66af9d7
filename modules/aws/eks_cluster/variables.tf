variable "name" {
  description = "Cluster name."
  type        = string
}

variable "kubernetes_version" {
  description = "Kubernetes minor version."
  type        = string
  default     = "1.31"
}

variable "node_count" {
  description = "Nodes in the managed node group."
  type        = number
  default     = 2
}

variable "node_size" {
  description = "small, medium, large or xlarge (mapped to an instance type)."
  type        = string
  default     = "medium"
}

variable "policy_statements" {
  description = "IAM statements of the resources the cluster's workloads use (EKS Pod Identity role)."
  type = list(object({
    Effect   = string
    Action   = list(string)
    Resource = list(string)
  }))
  default = []
}

variable "workload_namespace" {
  description = "Namespace of the service account that gets the workload role."
  type        = string
  default     = "default"
}

variable "workload_service_account" {
  description = "Service account that gets the workload role."
  type        = string
  default     = "app"
}

variable "vpc_id" {
  description = "VPC of the cluster."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the cluster and its nodes."
  type        = list(string)
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "name_prefix" {
  description = "Prefix of account-wide names (infrar passes \"<project_name>-\")."
  type        = string
  default     = ""
}
