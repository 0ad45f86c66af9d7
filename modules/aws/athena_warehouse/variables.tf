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

variable "job_python_modules" {
  description = "Glue's --additional-python-modules for the jobs (e.g. \"infrar[aws]==0.1.0\" for scripts that import infrar; erased scripts need none)."
  type        = string
  default     = ""
}

variable "job_policy_statements" {
  description = "IAM statements of the other resources the workloads starting jobs reach: the job role gets them too."
  type = list(object({
    Effect   = string
    Action   = list(string)
    Resource = list(string)
  }))
  default = []
}

variable "name_prefix" {
  description = "Start of deployed names (<project>-<environment>-): the buckets', the workgroup's."
  type        = string
  default     = ""
}

variable "job_subnet_ids" {
  description = "Private subnets the Glue jobs run in (a Glue NETWORK connection on the first), when the workloads starting jobs reach private databases or caches; empty: jobs run outside the VPC."
  type        = list(string)
  default     = []
}

variable "job_egress_ports" {
  description = "Ports of the databases and caches the workloads starting jobs reach: the jobs' security group may open them inside the VPC."
  type        = list(number)
  default     = []
}
