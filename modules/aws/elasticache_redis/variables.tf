variable "name" {
  description = "Cache name."
  type        = string
}

variable "name_prefix" {
  description = "Start of the deployed names (<project>-<environment>-)."
  type        = string
  default     = ""
}

variable "size" {
  description = "small, medium, large or xlarge (mapped to a node type)."
  type        = string
  default     = "small"
}

variable "high_availability" {
  description = "A replica in a second availability zone with automatic failover."
  type        = bool
  default     = true
}

variable "engine_version" {
  description = "Redis OSS version (7.0 or later: IAM authentication needs it)."
  type        = string
  default     = "7.1"
}

variable "vpc_id" {
  description = "VPC the cache lives in."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets for the cache nodes."
  type        = list(string)
}

variable "client_security_group_ids" {
  description = "Security groups of the workloads allowed to connect (port 6379)."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
