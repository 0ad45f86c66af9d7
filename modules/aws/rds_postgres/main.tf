# RDS for PostgreSQL: private, encrypted with KMS, TLS forced, the master password generated
# and kept by RDS in Secrets Manager (never in Terraform state or any file).

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  instance_class = {
    small  = "db.t4g.small"
    medium = "db.m6g.large"
    large  = "db.m6g.xlarge"
    xlarge = "db.m6g.2xlarge"
  }[var.size]
  # RDS's DBName takes letters, digits and '_' only: orders-db is created as orders_db, and the
  # workloads get PGDATABASE_ORDERS_DB=orders_db, the variable the database adapters read.
  database_variable = "PGDATABASE_${upper(replace(var.name, "-", "_"))}"
}

resource "aws_kms_key" "this" {
  description             = "Encrypts RDS database ${var.name}, its secret and its insights"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AccountAdministers"
      Effect    = "Allow"
      Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
  tags = var.tags
}

resource "aws_db_subnet_group" "this" {
  name       = local.identifier
  subnet_ids = var.subnet_ids
  tags       = var.tags
}

resource "aws_security_group" "this" {
  name        = "${local.qualified}-postgres" # a workload's group in the VPC may be <prefix><name>-tasks
  description = "PostgreSQL ${var.name}: reachable only from its workloads"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "clients" {
  for_each                     = toset(var.client_security_group_ids)
  description                  = "PostgreSQL from a workload that uses ${var.name}"
  security_group_id            = aws_security_group.this.id
  referenced_security_group_id = each.value
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

resource "aws_db_parameter_group" "this" {
  name   = local.identifier
  family = "postgres${var.engine_version}"

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }
  parameter {
    name  = "log_statement"
    value = "ddl"
  }
  parameter {
    name  = "log_min_duration_statement"
    value = "1000"
  }
  tags = var.tags
}

resource "aws_db_instance" "this" {
  #checkov:skip=CKV_AWS_118:Enhanced monitoring needs an extra IAM role; Performance Insights and CloudWatch logs are on
  identifier                            = local.identifier
  engine                                = "postgres"
  engine_version                        = var.engine_version
  instance_class                        = local.instance_class
  allocated_storage                     = var.storage_gb
  storage_type                          = "gp3"
  storage_encrypted                     = true
  kms_key_id                            = aws_kms_key.this.arn
  db_name                               = replace(var.name, "-", "_")
  username                              = "infrar"
  manage_master_user_password           = true
  master_user_secret_kms_key_id         = aws_kms_key.this.arn
  iam_database_authentication_enabled   = true
  db_subnet_group_name                  = aws_db_subnet_group.this.name
  vpc_security_group_ids                = [aws_security_group.this.id]
  parameter_group_name                  = aws_db_parameter_group.this.name
  publicly_accessible                   = false
  multi_az                              = var.high_availability
  backup_retention_period               = var.backup_retention_days
  copy_tags_to_snapshot                 = true
  deletion_protection                   = true
  skip_final_snapshot                   = false
  final_snapshot_identifier             = "${local.identifier}-final"
  auto_minor_version_upgrade            = true
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = aws_kms_key.this.arn
  performance_insights_retention_period = 7
  enabled_cloudwatch_logs_exports       = ["postgresql", "upgrade"]
  tags                                  = var.tags
}
