variable "name" {
  description = "Service name."
  type        = string
}

variable "name_prefix" {
  description = "Start of the deployed names (<project>-<environment>-)."
  type        = string
  default     = ""
}

variable "container_image" {
  description = "Container image to run."
  type        = string
}

variable "cpu" {
  description = "vCPUs per instance."
  type        = number
  default     = 1
  validation {
    condition     = (var.cpu >= 0.08 && var.cpu < 1) || contains([1, 2, 4, 6, 8], var.cpu)
    error_message = "Cloud Run takes 0.08 to 1 vCPU, or 1, 2, 4, 6 or 8 vCPUs."
  }
}

variable "memory" {
  description = "Memory per instance in MiB."
  type        = number
  default     = 512
}

variable "min_instances" {
  description = "Fewest instances."
  type        = number
  default     = 0
}

variable "max_instances" {
  description = "Most instances."
  type        = number
  default     = 4
}

variable "env" {
  description = "Extra environment variables of the project (no secrets)."
  type        = map(string)
  default     = {}
}

variable "environment" {
  description = "Native configuration the infrar adapters read (GOOGLE_CLOUD_PROJECT ...)."
  type        = map(string)
  default     = {}
}

variable "port" {
  description = "Port the container listens on."
  type        = number
  default     = 8080
}

variable "health_check_path" {
  description = "HTTP path of the startup and liveness probes."
  type        = string
  default     = "/"
}

variable "public" {
  description = "Allow unauthenticated requests from the internet (a public web application or API)."
  type        = bool
  default     = false
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

variable "secret_environment" {
  description = "Variables whose values Cloud Run reads from Secret Manager: name -> secret id."
  type        = map(string)
  default     = {}
}

variable "secret_files" {
  description = "Directory -> Secret Manager secret mounted there as ca.pem (a CA file a variable names)."
  type        = map(string)
  default     = {}
}

variable "network_id" {
  description = "VPC network the workload reaches private IPs in (Cloud SQL, Memorystore) through Direct VPC egress; null: none."
  type        = string
  default     = null
}

variable "subnetwork_id" {
  description = "Subnetwork of network_id for Direct VPC egress (null: the one named like the network)."
  type        = string
  default     = null
}
