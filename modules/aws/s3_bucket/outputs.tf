output "connection" {
  description = "What the application needs to reach the bucket (no secrets)."
  value = {
    name = aws_s3_bucket.this.id
    arn  = aws_s3_bucket.this.arn
  }
}

output "environment" {
  description = "The deployed name under the variable the storage adapters read (infrar.providers._names)."
  value       = { "BUCKET_NAME_${upper(replace(var.name, "/[^a-zA-Z0-9]/", "_"))}" = aws_s3_bucket.this.id }
}

output "policy_statements" {
  description = "IAM statements granting exactly the object access infrar.storage needs on this bucket."
  value = [
    {
      Effect   = "Allow"
      Action   = ["s3:ListBucket", "s3:GetBucketLocation"]
      Resource = [aws_s3_bucket.this.arn]
    },
    {
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
      Resource = ["${aws_s3_bucket.this.arn}/*"]
    },
    {
      Effect   = "Allow"
      Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
      Resource = [aws_kms_key.this.arn]
    },
  ]
}

output "kms_key_arn" {
  description = "The KMS key that encrypts the bucket."
  value       = aws_kms_key.this.arn
}
