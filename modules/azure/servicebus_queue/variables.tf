variable "name" {
  description = "Queue name (also names its Service Bus namespace)."
  type        = string
}

variable "fifo" {
  description = "Sessions: messages with the same session id are delivered in order."
  type        = bool
  default     = false
}

variable "visibility_timeout_seconds" {
  description = "Lock duration in seconds (at most 300)."
  type        = number
  default     = 30
}

variable "dead_letter" {
  description = "Dead-letter a message after 5 failed deliveries or when it expires."
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

variable "principal_ids" {
  description = "Object ids of the managed identities of the workloads that use this resource."
  type        = list(string)
  default     = []
}
