variable "name" {
  description = "Prefix of the reserved range's name."
  type        = string
  default     = "infrar"
}

variable "project_id" {
  description = "Google Cloud project."
  type        = string
}

variable "network_id" {
  description = "VPC network (self link) the managed services are peered with."
  type        = string
}

variable "prefix_length" {
  description = "Size of the reserved range (/16 leaves room for every Cloud SQL and Memorystore instance)."
  type        = number
  default     = 16
}

variable "name_prefix" {
  description = "Start of the deployed names (<project>-<environment>-)."
  type        = string
  default     = ""
}

variable "existing_private_services_connection" {
  description = "Id of the network's existing service networking connection (another deployment's module.private_services.connection): used instead of creating a range and a connection (a network has one)."
  type        = string
  default     = ""
}
