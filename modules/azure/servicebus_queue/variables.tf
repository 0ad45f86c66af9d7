variable "name" {
  description = "Queue name."
  type        = string
}

variable "name_prefix" {
  description = "Start of the deployed name (<project>-<environment>-); the queue is <prefix><name>."
  type        = string
  default     = ""
}

variable "fifo" {
  description = "Sessions: messages with the same session id are delivered in order."
  type        = bool
  default     = false
}

variable "visibility_timeout_seconds" {
  description = "Lock duration in seconds (at most 300; the adapters' lease is 30)."
  type        = number
  default     = 30
}

variable "dead_letter" {
  description = "Dead-letter a message after 5 failed deliveries or when it expires."
  type        = bool
  default     = true
}

variable "servicebus_namespace_id" {
  description = "The project's Service Bus namespace (module servicebus_namespace)."
  type        = string
}

variable "servicebus_namespace" {
  description = "Its fully qualified host, name.servicebus.windows.net (AZURE_SERVICEBUS_NAMESPACE)."
  type        = string
}

variable "principal_ids" {
  description = "Object ids of the managed identities of the workloads that use this resource."
  type        = list(string)
  default     = []
}
