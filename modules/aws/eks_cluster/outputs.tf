output "security_group_id" {
  description = "The cluster security group (nodes and pods): databases and caches admit it."
  value       = aws_eks_cluster.this.vpc_config[0].cluster_security_group_id
}

output "role_arn" {
  description = "The workload role pods of the workload service account assume."
  value       = aws_iam_role.workload.arn
}

output "endpoint" {
  description = "Private API endpoint of the cluster."
  value       = aws_eks_cluster.this.endpoint
}
