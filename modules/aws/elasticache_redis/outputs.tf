output "connection" {
  description = "Where the cache is, the user to connect as and the secret holding its URL (the ARN, never the password)."
  value = {
    host           = aws_elasticache_replication_group.this.primary_endpoint_address
    port           = "6379"
    username       = aws_elasticache_user.app.user_name
    tls            = "true"
    url_secret_arn = aws_secretsmanager_secret.url.arn
  }
}

output "environment" {
  description = "Variables for the workloads that use this cache without secrets (none: the URL holds the password)."
  value       = {}
}

output "secret_environment" {
  description = "REDIS_URL_<NAME>, the variable the cache adapter reads for this cache, by the ARN of the secret holding it."
  value       = { (local.url_variable) = aws_secretsmanager_secret.url.arn }
}

output "secret_kms_key_arns" {
  description = "KMS keys that encrypt the secrets above (the task execution role decrypts with them)."
  value       = [aws_kms_key.this.arn]
}

output "policy_statements" {
  description = "IAM statements the workloads need: none (they authenticate with the URL's password)."
  value       = []
}

output "client_port" {
  description = "TCP port the workloads connect to (a constant, so it is known when planning)."
  value       = 6379
}
