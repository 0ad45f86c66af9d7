variable "name" {
  description = "Container name: the bucket name the application passes to infrar.storage."
  type        = string
}

variable "storage_account_id" {
  description = "The project's storage account (azure/storage_account)."
  type        = string
}

variable "principal_ids" {
  description = "Object ids of the managed identities of the workloads that use this resource."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Unused: containers take no tags (kept for a uniform interface)."
  type        = map(string)
  default     = {}
}
