# A data warehouse on Athena + Glue: a Glue catalog database, its data and query results in a
# private encrypted bucket (../s3_bucket), and an Athena workgroup that enforces encryption.

locals {
  bucket = coalesce(var.results_bucket_name, "${var.name}-warehouse")
}

module "data" {
  source      = "../s3_bucket"
  name        = local.bucket
  name_prefix = var.name_prefix # the bucket module makes the name globally unique
  versioning  = true
  tags        = var.tags
}

resource "aws_glue_catalog_database" "this" {
  name         = replace(var.name, "-", "_")
  description  = "infrar warehouse ${var.name}"
  location_uri = "s3://${module.data.connection.name}/tables/"
  tags         = var.tags
}

resource "aws_athena_workgroup" "this" {
  name          = "${var.name_prefix}${var.name}" # ATHENA_WORKGROUP carries it
  force_destroy = false

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true

    result_configuration {
      output_location = "s3://${module.data.connection.name}/results/"
      encryption_configuration {
        encryption_option = "SSE_KMS"
        kms_key_arn       = module.data.kms_key_arn
      }
    }
  }
  tags = var.tags
}
