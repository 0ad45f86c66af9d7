# An ECS Fargate service in private subnets; with load_balanced, behind an HTTPS-only ALB.
# Its task role may do exactly what var.policy_statements allow, nothing else.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  partition = data.aws_partition.current.partition
  # Account-wide names (cluster, roles, log group, security groups, load balancer, schedule)
  # carry the project's prefix, so two projects with a service of the same name do not collide.
  qualified = "${var.name_prefix}${var.name}"
  role      = substr(local.qualified, 0, 54) # IAM role names are at most 64 characters
  # A five-field cron as EventBridge's six fields: one of day-of-month and day-of-week is '?'.
  cron = var.schedule == null ? null : split(" ", var.schedule)
  schedule_expression = var.schedule == null ? null : format("cron(%s %s %s %s %s *)",
    local.cron[0], local.cron[1], local.cron[4] == "*" ? local.cron[2] : "?", local.cron[3],
  local.cron[4] == "*" ? "?" : upper(local.cron[4]))
}

resource "aws_kms_key" "logs" {
  description             = "Encrypts the logs (and the schedule) of ECS service ${var.name}"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministers"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchLogsEncrypt"
        Effect    = "Allow"
        Principal = { Service = "logs.${data.aws_region.current.name}.amazonaws.com" }
        Action    = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
      },
    ]
  })
  tags = var.tags
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/infrar/${local.qualified}"
  retention_in_days = 365
  kms_key_id        = aws_kms_key.logs.arn
  tags              = var.tags
}

resource "aws_ecs_cluster" "this" {
  name = local.qualified
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
  tags = var.tags
}

data "aws_iam_policy_document" "assume_ecs_tasks" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "execution" {
  name               = "${local.role}-execution"
  assume_role_policy = data.aws_iam_policy_document.assume_ecs_tasks.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

# The secrets ECS injects into the containers (var.secret_environment) and nothing else.
resource "aws_iam_role_policy" "execution_secrets" {
  count = length(var.secret_environment) > 0 ? 1 : 0
  name  = "${var.name}-secrets"
  role  = aws_iam_role.execution.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [{ Effect = "Allow", Action = ["secretsmanager:GetSecretValue"], Resource = sort(values(var.secret_environment)) }],
      length(var.secret_kms_key_arns) > 0 ? [{ Effect = "Allow", Action = ["kms:Decrypt"], Resource = var.secret_kms_key_arns }] : [],
    )
  })
}

resource "aws_iam_role" "task" {
  name               = "${local.role}-task"
  assume_role_policy = data.aws_iam_policy_document.assume_ecs_tasks.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "task" {
  count = length(var.policy_statements) > 0 ? 1 : 0
  name  = "${var.name}-resources"
  role  = aws_iam_role.task.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = var.policy_statements
  })
}

resource "aws_ecs_task_definition" "this" {
  family                   = local.qualified
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = tostring(floor(var.cpu * 1024))
  memory                   = tostring(var.memory)
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn
  container_definitions = jsonencode([{
    name                   = var.name
    image                  = var.container_image
    essential              = true
    readonlyRootFilesystem = true
    portMappings           = var.load_balanced ? [{ containerPort = var.port, protocol = "tcp" }] : []
    environment = [
      for key in sort(keys(merge(var.env, var.environment))) :
      { name = key, value = merge(var.env, var.environment)[key] }
    ]
    secrets = [
      for key in sort(keys(var.secret_environment)) : { name = key, valueFrom = var.secret_environment[key] }
    ]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this.name
        awslogs-region        = data.aws_region.current.name
        awslogs-stream-prefix = var.name
      }
    }
  }])
  tags = var.tags
}

resource "aws_security_group" "this" {
  name        = "${local.qualified}-tasks"
  description = "Tasks of ECS service ${var.name}"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_vpc_security_group_egress_rule" "https" {
  security_group_id = aws_security_group.this.id
  description       = "HTTPS to AWS APIs and the image registry"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

# Only the ports of the databases and caches this workload uses (their security groups admit it).
resource "aws_vpc_security_group_egress_rule" "vpc" {
  for_each          = toset([for port in var.egress_ports : tostring(port)])
  security_group_id = aws_security_group.this.id
  description       = "Port ${each.value} of a database or cache it uses, inside the VPC"
  ip_protocol       = "tcp"
  from_port         = tonumber(each.value)
  to_port           = tonumber(each.value)
  cidr_ipv4         = data.aws_vpc.this.cidr_block
}

data "aws_vpc" "this" {
  id = var.vpc_id
}

# Without a schedule the tasks run continuously as a service; with one, EventBridge Scheduler
# starts one task per tick (below) and no service exists.
resource "aws_ecs_service" "this" {
  count                 = var.schedule == null ? 1 : 0
  name                  = var.name
  cluster               = aws_ecs_cluster.this.id
  task_definition       = aws_ecs_task_definition.this.arn
  desired_count         = var.min_instances
  launch_type           = "FARGATE"
  propagate_tags        = "SERVICE"
  wait_for_steady_state = false

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [aws_security_group.this.id]
    assign_public_ip = false
  }

  dynamic "load_balancer" {
    for_each = var.load_balanced ? [1] : []
    content {
      target_group_arn = aws_lb_target_group.this[0].arn
      container_name   = var.name
      container_port   = var.port
    }
  }

  lifecycle {
    ignore_changes = [desired_count]
  }
  tags = var.tags
}

resource "aws_appautoscaling_target" "this" {
  count              = var.schedule == null ? 1 : 0
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.this[0].name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.min_instances
  max_capacity       = max(var.min_instances, var.max_instances)
}

resource "aws_appautoscaling_policy" "cpu" {
  count              = var.schedule == null ? 1 : 0
  name               = "${var.name}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[0].service_namespace
  resource_id        = aws_appautoscaling_target.this[0].resource_id
  scalable_dimension = aws_appautoscaling_target.this[0].scalable_dimension
  target_tracking_scaling_policy_configuration {
    target_value = 60
    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

data "aws_iam_policy_document" "assume_scheduler" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  count              = var.schedule == null ? 0 : 1
  name               = "${local.role}-scheduler"
  assume_role_policy = data.aws_iam_policy_document.assume_scheduler.json
  tags               = var.tags
}

# The scheduler may start this task definition, hand it its two roles and decrypt the schedule.
resource "aws_iam_role_policy" "scheduler" {
  count = var.schedule == null ? 0 : 1
  name  = "${var.name}-run-task"
  role  = aws_iam_role.scheduler[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["ecs:RunTask"], Resource = ["${aws_ecs_task_definition.this.arn_without_revision}:*"] },
      { Effect = "Allow", Action = ["iam:PassRole"], Resource = [aws_iam_role.execution.arn, aws_iam_role.task.arn] },
      { Effect = "Allow", Action = ["kms:Decrypt"], Resource = [aws_kms_key.logs.arn] },
    ]
  })
}

resource "aws_scheduler_schedule" "this" {
  count                        = var.schedule == null ? 0 : 1
  name                         = local.qualified
  schedule_expression          = local.schedule_expression
  schedule_expression_timezone = "Etc/UTC"
  kms_key_arn                  = aws_kms_key.logs.arn

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_ecs_cluster.this.arn
    role_arn = aws_iam_role.scheduler[0].arn
    ecs_parameters {
      task_definition_arn = aws_ecs_task_definition.this.arn
      launch_type         = "FARGATE"
      task_count          = 1
      network_configuration {
        subnets          = var.subnet_ids
        security_groups  = [aws_security_group.this.id]
        assign_public_ip = false
      }
    }
  }
}
