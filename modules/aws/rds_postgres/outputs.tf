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
