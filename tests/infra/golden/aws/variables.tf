variable "project_name" {
  description = "Project name: in every resource's tags or labels, and the start of deployed names."
  type        = string
  default     = "shop"
}

variable "environment_name" {
  description = "Environment (prod, staging, dev ...): with project_name, the prefix of every deployed name."
  type        = string
  default     = "prod"
}

variable "region" {
  description = "AWS region (default: regions.aws of project.yaml, which infrar cost prices; else us-east-1)."
  type        = string
  default     = "us-east-1"
}

variable "certificate_arn" {
  description = "ACM certificate of the HTTPS listeners (needed by web applications and API services)."
  type        = string
  default     = null
}

variable "public_subnet_ids" {
  description = "Public subnets for the load balancers (web applications, API services)."
  type        = list(string)
  default     = []
}

variable "subnet_ids" {
  description = "Private subnets (two availability zones or more)."
  type        = list(string)
}

variable "vpc_id" {
  description = "VPC for services, databases and caches."
  type        = string
}
