output "security_group_id" {
  description = "Security group of the tasks: databases and caches admit it."
  value       = aws_security_group.this.id
}

output "role_arn" {
  description = "The task role (the workload's identity)."
  value       = aws_iam_role.task.arn
}

output "url" {
  description = "HTTPS address of the service (null for a worker)."
  value       = var.load_balanced ? "https://${aws_lb.this[0].dns_name}" : null
}
