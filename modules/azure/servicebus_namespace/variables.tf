variable "name_prefix" {
  description = "Start of the namespace name (the project's prefix); a hash of subscription, resource group and name makes it globally unique."
  type        = string
  default     = "infrar-"

  validation {
    condition     = can(regex("^[A-Za-z]", var.name_prefix))
    error_message = "name_prefix must start with a letter (Service Bus namespace names do)."
  }
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
