output "connection" {
  description = "Where the cache is and the IAM user to connect as (TLS, IAM auth token; no password)."
  value = {
    host     = aws_elasticache_replication_group.this.primary_endpoint_address
    port     = "6379"
    username = aws_elasticache_user.app.user_name
    tls      = "true"
  }
}

output "policy_statements" {
  description = "IAM statements granting exactly elasticache:Connect on this cache as its app user."
  value = [
    {
      Effect   = "Allow"
      Action   = ["elasticache:Connect"]
      Resource = [aws_elasticache_replication_group.this.arn, aws_elasticache_user.app.arn]
    },
  ]
}
