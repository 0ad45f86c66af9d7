variable "name" {
  description = "Topic name."
  type        = string
}

variable "name_prefix" {
  description = "Start of the deployed name (<project>-<environment>-); the topic is <prefix><name>."
  type        = string
  default     = ""
}

variable "subscriber_queues" {
  description = "Queues subscribed to the topic, by name: their connection (name, and dead_letter: the queue of their dead letters, or null)."
  type = map(object({
    name        = string
    dead_letter = string
  }))
  default = {}
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
