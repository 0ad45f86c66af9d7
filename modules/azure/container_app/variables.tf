variable "name" {
  description = "Container app name."
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
  description = "vCPUs per replica (0.25 to 4; memory is twice this in GiB)."
  type        = number
  default     = 0.5
}

variable "min_instances" {
  description = "Fewest replicas."
  type        = number
  default     = 1
}

variable "max_instances" {
  description = "Most replicas."
  type        = number
  default     = 4
}

variable "env" {
  description = "Extra environment variables of the project (no secrets)."
  type        = map(string)
  default     = {}
}

variable "environment" {
  description = "Native configuration the infrar adapters read (AZURE_STORAGE_ACCOUNT_URL ...)."
  type        = map(string)
  default     = {}
}

variable "container_app_environment_id" {
  description = "The project's Container Apps environment (azure/container_app_environment)."
  type        = string
}

variable "port" {
  description = "Port the container listens on."
  type        = number
  default     = 8080
}

variable "health_check_path" {
  description = "HTTP path of the liveness and readiness probes."
  type        = string
  default     = "/"
}

variable "external" {
  description = "Reachable from the internet (HTTPS only) rather than inside the environment."
  type        = bool
  default     = true
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

variable "secret_environment" {
  description = "Variables whose values are secrets (name -> value): kept as Container Apps secrets, injected with secretRef."
  type        = map(string)
  default     = {}
  sensitive   = true
}

variable "ingress" {
  description = "Serve HTTPS on port (a web application or API); false: a worker whose replicas just run."
  type        = bool
  default     = true
}
