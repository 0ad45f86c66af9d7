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

variable "project_id" {
  description = "Google Cloud project to deploy into."
  type        = string
}

variable "region" {
  description = "Region of every regional resource (default: regions.gcp of project.yaml, which infrar cost prices; else us-central1)."
  type        = string
  default     = "us-central1"
}

variable "existing_private_services_connection" {
  description = "The network's existing service networking connection, used instead of creating one (another deployment's module.private_services.connection; a network has one)."
  type        = string
  default     = ""
}

variable "network_id" {
  description = "VPC network (self link) for Cloud SQL, Memorystore and GKE, and that Cloud Run reaches them through."
  type        = string
}
