# ElastiCache for Redis: private, encrypted at rest (KMS) and in transit (TLS), and no password
# at all: workloads authenticate with IAM as the user `app` (elasticache:Connect).

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  node_type = {
    small  = "cache.t4g.small"
    medium = "cache.m7g.large"
    large  = "cache.m7g.xlarge"
    xlarge = "cache.m7g.2xlarge"
  }[var.size]
  app_user = "${var.name}-app"
}

resource "aws_kms_key" "this" {
  description             = "Encrypts ElastiCache ${var.name} at rest"
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

resource "aws_elasticache_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.subnet_ids
  tags       = var.tags
}

resource "aws_security_group" "this" {
  name        = "${var.name}-redis"
  description = "Redis ${var.name}: reachable only from its workloads"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "clients" {
  for_each                     = toset(var.client_security_group_ids)
  description                  = "Redis from a workload that uses ${var.name}"
  security_group_id            = aws_security_group.this.id
  referenced_security_group_id = each.value
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
}

# Redis requires a user named "default" in every user group: here it can do nothing.
resource "aws_elasticache_user" "disabled_default" {
  user_id       = "${var.name}-default"
  user_name     = "default"
  engine        = "REDIS"
  access_string = "off ~* -@all"
  authentication_mode {
    type = "no-password-required"
  }
  tags = var.tags
}

resource "aws_elasticache_user" "app" {
  user_id       = local.app_user
  user_name     = local.app_user
  engine        = "REDIS"
  access_string = "on ~* +@all -@dangerous"
  authentication_mode {
    type = "iam"
  }
  tags = var.tags
}

resource "aws_elasticache_user_group" "this" {
  user_group_id = var.name
  engine        = "REDIS"
  user_ids      = [aws_elasticache_user.disabled_default.user_id, aws_elasticache_user.app.user_id]
  tags          = var.tags
}

resource "aws_elasticache_replication_group" "this" {
  replication_group_id       = var.name
  description                = "Redis cache ${var.name}"
  engine                     = "redis"
  engine_version             = var.engine_version
  node_type                  = local.node_type
  num_cache_clusters         = var.high_availability ? 2 : 1
  automatic_failover_enabled = var.high_availability
  multi_az_enabled           = var.high_availability
  port                       = 6379
  subnet_group_name          = aws_elasticache_subnet_group.this.name
  security_group_ids         = [aws_security_group.this.id]
  at_rest_encryption_enabled = true
  kms_key_id                 = aws_kms_key.this.arn
  transit_encryption_enabled = true
  user_group_ids             = [aws_elasticache_user_group.this.user_group_id]
  auto_minor_version_upgrade = true
  snapshot_retention_limit   = 7
  tags                       = var.tags
}
