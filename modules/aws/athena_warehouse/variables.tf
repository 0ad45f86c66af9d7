variable "name" {
  description = "Warehouse name: the Glue database and the Athena workgroup."
  type        = string
}

variable "results_bucket_name" {
  description = "Bucket for query results and table data (default: \"<name>-warehouse\")."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
