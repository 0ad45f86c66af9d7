output "connection" {
  description = "Where the database is and which secret holds its password (the ARN, never the password)."
  value = {
    host       = aws_db_instance.this.address
    port       = tostring(aws_db_instance.this.port)
    database   = aws_db_instance.this.db_name
    username   = aws_db_instance.this.username
    secret_arn = aws_db_instance.this.master_user_secret[0].secret_arn
  }
}

output "policy_statements" {
  description = "IAM statements granting exactly: read this database's secret, decrypt it, IAM-authenticate."
  value = [
    {
      Effect   = "Allow"
      Action   = ["secretsmanager:GetSecretValue"]
      Resource = [aws_db_instance.this.master_user_secret[0].secret_arn]
    },
    {
      Effect   = "Allow"
      Action   = ["kms:Decrypt"]
      Resource = [aws_kms_key.this.arn]
    },
    {
      Effect   = "Allow"
      Action   = ["rds-db:connect"]
      Resource = ["arn:${data.aws_partition.current.partition}:rds-db:*:${data.aws_caller_identity.current.account_id}:dbuser:${aws_db_instance.this.resource_id}/*"]
    },
  ]
}

output "environment" {
  description = "libpq's variables for the workloads that use this database (no password: PGPASSWORD_SECRET_ARN names the secret the adapter reads it from)."
  value = {
    PGHOST                = aws_db_instance.this.address
    PGPORT                = tostring(aws_db_instance.this.port)
    PGUSER                = aws_db_instance.this.username
    PGSSLMODE             = "require"
    PGPASSWORD_SECRET_ARN = aws_db_instance.this.master_user_secret[0].secret_arn
  }
}

output "secret_environment" {
  description = "Variables whose values are secrets, by the secret that holds each (none: the adapter reads the password secret itself)."
  value       = {}
}

output "client_port" {
  description = "TCP port the workloads connect to (a constant, so it is known when planning)."
  value       = 5432
}
