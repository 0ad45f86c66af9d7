variable "name" {
  description = "Topic name (also names its Service Bus namespace)."
  type        = string
}

variable "subscriptions" {
  description = "Names of the subscriptions (one per consumer) on the topic."
  type        = list(string)
  default     = []
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

variable "principal_ids" {
  description = "Object ids of the managed identities of the workloads that use this resource."
  type        = list(string)
  default     = []
}
